import { existsSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigValidationError } from './config.errors';
import type { ConfigDefinition } from './config.types';

type AnyDefinition = ConfigDefinition<z.ZodRawShape, unknown>;

/** The validated configuration of every capability, read once at boot. */
export class LoadedConfig {
  constructor(private readonly values: ReadonlyMap<symbol, unknown>) {}

  /** The typed config object of `definition`; throws if it was not loaded. */
  get<V>(definition: ConfigDefinition<z.ZodRawShape, V>): V {
    if (!this.values.has(definition.token)) {
      throw new Error(`Config "${definition.name}" was not loaded: add it to the list passed to loadConfig() (see AppModule.configs).`);
    }
    return this.values.get(definition.token) as V;
  }

  /** Every loaded definition token with its value, for the DI providers. */
  entries(): IterableIterator<[symbol, unknown]> {
    return this.values.entries();
  }
}

/**
 * Validates `env` against every definition and returns the typed configs.
 * Collects the problems of all capabilities and throws one
 * {@link ConfigValidationError} that lists every bad variable.
 */
export function loadConfig(definitions: readonly AnyDefinition[], env: NodeJS.ProcessEnv): LoadedConfig {
  const values = new Map<symbol, unknown>();
  const problems: string[] = [];
  for (const definition of definitions) {
    const picked: Record<string, string> = {};
    for (const name of Object.keys(definition.env.shape)) {
      const value = env[name];
      // An empty variable (`FOO=` in a .env file) means "use the default".
      if (value !== undefined && value !== '') picked[name] = value;
    }
    const result = definition.env.safeParse(picked);
    if (result.success) {
      values.set(definition.token, definition.map(result.data));
    } else {
      for (const issue of result.error.issues) {
        const variable = issue.path.length > 0 ? String(issue.path[0]) : definition.name;
        const shown = env[variable] === undefined ? '' : ` (got ${JSON.stringify(redactIfSecret(variable, env[variable]))})`;
        problems.push(`${variable}: ${issue.message}${shown}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return new LoadedConfig(values);
}

/**
 * The process environment, after loading `./.env` when present (Node's own
 * loader; real environment variables win over the file). The only place that
 * reads `process.env`.
 */
export function readProcessEnv(envFile = '.env'): NodeJS.ProcessEnv {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return process.env;
}

/** Variables whose value must never be echoed, even in a config error. */
function redactIfSecret(variable: string, value: string): string {
  if (/PASSWORD|SECRET|TOKEN|KEY$/i.test(variable)) return '[redacted]';
  if (/_URL$/.test(variable)) return redactUrlPassword(value);
  return value;
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`; other strings unchanged. */
export function redactUrlPassword(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}
