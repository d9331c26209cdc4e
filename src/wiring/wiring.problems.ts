import { UnknownDependenciesException } from '@nestjs/core/errors/exceptions/unknown-dependencies.exception';
import { getPolicyToken } from '../resilience';
import { getWriteBehindToken } from '../write-behind';

/**
 * The pure half of the boot-time wiring checks: given what the routes use and what the modules
 * declared, the problems, one sentence each, naming the place and the fix. `WiringCheck` gathers
 * the inputs from the running container; {@link resolutionProblem} reads Nest's own error when
 * the container could not be built.
 */

/** A route as the problems name it. */
export interface RouteRef {
  readonly controller: string;
  readonly handler: string;
  /** `GET`, `POST`, …; undefined for a method that is not a route. */
  readonly method?: string;
  /** The full path, e.g. `/products/:id/recommendations`. */
  readonly path: string;
}

/** `RecommendationsController.list (GET /products/:id/recommendations)`. */
export function routeName(route: RouteRef): string {
  const name = `${route.controller}.${route.handler}`;
  return route.method === undefined ? name : `${name} (${route.method} ${route.path})`;
}

/** A use of a name declared elsewhere: `where` is a route (see {@link routeName}) or a class. */
export interface NameUse {
  readonly where: string;
  readonly name: string;
}

/**
 * `@Degradable(name)` routes whose switch no module declared. Such a route would be `on` forever:
 * DEGRADATION_SWITCHES, the switches file and the admin API only set the state of a declared switch.
 */
export function undeclaredSwitchProblems(uses: readonly NameUse[], declared: readonly string[]): string[] {
  const known = new Set(declared);
  return uses
    .filter((use) => !known.has(use.name))
    .map(
      (use) =>
        `${use.where} is @Degradable('${use.name}'), but no module declares the switch "${use.name}" (declared: ${list(declared)}): ` +
        `import DegradationModule.forFeature({ feature: '${use.name}' }) in the feature's module, or fix the name ` +
        `(DEGRADATION_SWITCHES and the switches file only set the state of a declared switch).`,
    );
}

/** `@UseResilience(name)` routes or controllers whose policy nobody registered (each request would fail with a 500). */
export function unregisteredPolicyProblems(uses: readonly NameUse[], registered: readonly string[]): string[] {
  const known = new Set(registered);
  return uses
    .filter((use) => !known.has(use.name))
    .map(
      (use) =>
        `${use.where} uses @UseResilience('${use.name}'), but no resilience policy "${use.name}" is registered (registered: ${list(registered)}): ` +
        `import ResilienceModule.forFeature({ name: '${use.name}', … }) in the feature's module, or fix the name.`,
    );
}

const POLICY_TOKEN_PREFIX = getPolicyToken('');
const WRITE_BEHIND_TOKEN_PREFIX = getWriteBehindToken('');

/**
 * Nest's "can't resolve dependencies" error, said in the kit's terms when the missing dependency
 * is a resilience policy or a write-behind producer, or when a write-behind feature's store cannot
 * be built; undefined for any other error (it is reported as it is). Nest stops at the first
 * dependency it cannot resolve, so this is one problem per start.
 */
export function resolutionProblem(error: unknown): string | undefined {
  if (!(error instanceof UnknownDependenciesException)) return undefined;
  const { index, key, dependencies } = error.context;
  const token = error.context.name ?? (index === undefined ? undefined : dependencies?.[index]);
  // The module's name is only in the message (the exception keeps the module's id alone); Nest
  // leaves it out when the dependency is undefined at runtime (an import cycle, `import type`) and
  // says so itself.
  const module = /available in the (\S+) module/.exec(error.message)?.[1] ?? 'its module';
  const host = String(error.type);
  const at = key === undefined ? `constructor argument ${(index ?? 0) + 1}` : `property ${String(key)}`;
  if (typeof token === 'string' && token.startsWith(POLICY_TOKEN_PREFIX)) {
    const name = token.slice(POLICY_TOKEN_PREFIX.length);
    return (
      `${host} (in ${module}) injects @InjectPolicy('${name}') (${at}), but ${module} does not import ResilienceModule.forFeature({ name: '${name}' }): ` +
      `add it to the imports of ${module} (a policy is injectable where its forFeature is imported), or fix the name.`
    );
  }
  if (typeof token === 'string' && token.startsWith(WRITE_BEHIND_TOKEN_PREFIX)) {
    const entity = token.slice(WRITE_BEHIND_TOKEN_PREFIX.length);
    return (
      `${host} (in ${module}) injects @InjectWriteBehind('${entity}') (${at}), but ${module} does not import the write-behind entity "${entity}": ` +
      `register it with WriteBehindModule.forFeature({ entity: '${entity}', store }) and add that module (or a module exporting it) to the imports of ${module}, or fix the name.`
    );
  }
  if (module === 'WriteBehindFeatureModule') {
    return (
      `${host} of a WriteBehindModule.forFeature() cannot be built: its ${at}, ${dependencyName(token)}, is not available there: ` +
      `add the module that exports it to that forFeature's imports (WriteBehindModule.forFeature({ entity, store, imports: [...] })); global modules need none.`
    );
  }
  return undefined;
}

function dependencyName(token: unknown): string {
  if (typeof token === 'function') return token.name;
  return typeof token === 'string' ? `"${token}"` : String(token);
}

function list(names: readonly string[]): string {
  return names.length === 0 ? 'none' : [...names].sort().join(', ');
}
