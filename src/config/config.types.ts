import type { z } from 'zod';

/**
 * One capability's configuration: the environment variables it reads (a zod
 * object schema whose keys are the variable names, each with `.describe()` and
 * its default) and the typed object the rest of the code receives.
 *
 * The definition doubles as its DI token: `@InjectConfig(databaseConfig)`.
 */
export interface ConfigDefinition<TShape extends z.ZodRawShape, TValue> {
  /** Capability name, used in error messages and as part of the DI token. */
  readonly name: string;
  /** Schema of the environment variables this capability reads. */
  readonly env: z.ZodObject<TShape>;
  /** Maps the validated variables onto the typed config object. */
  map(vars: z.output<z.ZodObject<TShape>>): TValue;
  /** DI token under which the typed config object is provided. */
  readonly token: symbol;
}

/** The typed config object of a definition: `ConfigOf<typeof databaseConfig>`. */
export type ConfigOf<D> = D extends { map(vars: never): infer V } ? V : never;

/** Declares a capability's configuration. See {@link ConfigDefinition}. */
export function defineConfig<TShape extends z.ZodRawShape, TValue>(
  name: string,
  env: z.ZodObject<TShape>,
  map: (vars: z.output<z.ZodObject<TShape>>) => TValue,
): ConfigDefinition<TShape, TValue> {
  return { name, env, map, token: Symbol(`config:${name}`) };
}
