import type { ServerName } from './servers';

/** A measured workload: the server under test, its request pattern, and what it is compared with. */
export interface Scenario {
  /** One line: what is measured. */
  readonly description: string;
  /** The server under test. */
  readonly target: ServerName;
  /** Extra environment of the target (e.g. a feature switch); none by default. */
  readonly targetEnv?: Readonly<Record<string, string>>;
  /** Servers loaded the same way in the same run; each must answer the same paths. */
  readonly baselines: readonly ServerName[];
  /** Request paths; each connection cycles through them in order. */
  readonly paths: readonly string[];
}

/** Product ids seeded in the bench schema (`CATALOG_SEED_COUNT`). */
const SEEDED_PRODUCTS = 1000;

/** Every seeded product once, in random order, so that no single row is hot. */
function shuffledProducts(): string[] {
  const paths = Array.from({ length: SEEDED_PRODUCTS }, (_, i) => `/products/${i + 1}`);
  for (let i = paths.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [paths[i], paths[j]] = [paths[j], paths[i]];
  }
  return paths;
}

/** Every scenario, by the name given on the command line; run in this order when none is named. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'product-by-id-db': {
    description: 'GET /products/:id read from PostgreSQL on every request (no cache)',
    target: 'bulwark',
    baselines: ['fastify-constant'],
    paths: shuffledProducts(),
  },
};
