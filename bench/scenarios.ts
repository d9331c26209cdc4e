import type { ServerName } from './servers';

/** A measured workload: the server under test, its request pattern, and what it is compared with. */
export interface Scenario {
  /** One line: what is measured. */
  readonly description: string;
  /** The server under test. */
  readonly target: ServerName;
  /** Extra environment of the target (e.g. a feature switch); none by default. */
  readonly targetEnv?: Readonly<Record<string, string>>;
  /** Servers loaded the same way in the same run; each answers `paths` unless `baselinePaths` says otherwise. */
  readonly baselines: readonly ServerName[];
  /** Extra environment of baselines that run the app too (e.g. the target's cache settings); none by default. */
  readonly baselineEnv?: Partial<Record<ServerName, Readonly<Record<string, string>>>>;
  /** Request paths of the target; each connection cycles through them in order. */
  readonly paths: readonly string[];
  /** Request paths of baselines that answer another route than the target. */
  readonly baselinePaths?: Partial<Record<ServerName, readonly string[]>>;
  /**
   * Products per response of the target (default 1). When above 1, the
   * results also give products per second, and the ratios compare products
   * per second; every baseline answers one product per request.
   */
  readonly itemsPerRequest?: number;
  /**
   * Before the first warm-up, GET every path of every server once (16 at a
   * time) and require 2xx: a cache then holds every id before anything is
   * measured. A plain warm-up does not: every connection starts at the top of
   * the same list, so a few seconds of load touch only its first few hundred paths.
   */
  readonly prime?: boolean;
  /** A response header whose values are counted on every measured response of every server. */
  readonly tallyHeader?: string;
  /**
   * After the last round, GET each of `paths` once from the target and
   * check that every response carries `header: expect` (a warning if not).
   */
  readonly afterCheck?: { readonly paths: readonly string[]; readonly header: string; readonly expect: string };
}

/** Product ids seeded in the bench schema (`CATALOG_SEED_COUNT`). */
const SEEDED_PRODUCTS = 1000;

/** Ids per batch request: `CATALOG_BATCH_MAX_IDS`, the most the app accepts. */
const BATCH_SIZE = 100;

/**
 * The app with the cache on and TTLs long enough (10 min, ±10 % jitter) that
 * no entry turns stale during a run: after priming, every read is a fresh L1
 * hit. The Redis key prefix is new for each run, so L2 holds no entry of an
 * earlier run with a shorter TTL, and every id is loaded from PostgreSQL with
 * these TTLs during priming. Those keys expire by themselves (TTL = fresh 10
 * min + `CACHE_MAX_STALE_MS` 5 min); nothing is flushed.
 */
const LONG_TTL_CACHE: Readonly<Record<string, string>> = {
  CACHE_ENABLED: 'true',
  CACHE_TTL_MS: '600000',
  CACHE_L1_TTL_MS: '600000',
  REDIS_KEY_PREFIX: `bulwark:bench:${Date.now().toString(36)}:`,
};

/** Fisher–Yates, in place. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Product ids 1..n in random order. */
function shuffledIds(n = SEEDED_PRODUCTS): number[] {
  return shuffle(Array.from({ length: n }, (_, i) => i + 1));
}

/** Every seeded product once, in random order, so that no single row is hot. */
function shuffledProducts(): string[] {
  return shuffledIds().map((id) => `/products/${id}`);
}

/**
 * 200 batch paths `/products?ids=…` of 100 distinct ids each: 20 shuffles of
 * 1..1000, each cut into 10 lists, so that every id is in exactly 20 lists.
 */
function batchPaths(): string[] {
  const paths: string[] = [];
  for (let pass = 0; pass < 20; pass++) {
    const ids = shuffledIds();
    for (let start = 0; start < ids.length; start += BATCH_SIZE) paths.push(`/products?ids=${ids.slice(start, start + BATCH_SIZE).join(',')}`);
  }
  return shuffle(paths);
}

/** `/products/1` … `/products/1000` in order: the after-run check of the L1 scenarios. */
const EVERY_PRODUCT = Array.from({ length: SEEDED_PRODUCTS }, (_, i) => `/products/${i + 1}`);

/** Every scenario, by the name given on the command line; run in this order when none is named. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'product-by-id-db': {
    description: 'GET /products/:id read from PostgreSQL on every request (CACHE_ENABLED=false)',
    target: 'product-by-id-db',
    baselines: ['fastify-constant'],
    paths: shuffledProducts(),
  },
  'product-by-id-l1': {
    description: 'GET /products/:id of 1000 hot ids, every one a fresh L1 hit (answered from the onRequest fast path)',
    target: 'bulwark',
    targetEnv: LONG_TTL_CACHE,
    // metrics-off: the same app and cache settings with METRICS_ENABLED=false (its own key prefix, primed the same way).
    baselines: ['metrics-off', 'node-http-buffer', 'nest-cache-interceptor', 'product-by-id-db'],
    baselineEnv: { 'metrics-off': { ...LONG_TTL_CACHE, REDIS_KEY_PREFIX: `${LONG_TTL_CACHE.REDIS_KEY_PREFIX}metrics-off:` } },
    paths: shuffledProducts(),
    prime: true,
    tallyHeader: 'x-cache',
    afterCheck: { paths: EVERY_PRODUCT, header: 'x-cache', expect: 'L1' },
  },
  'product-batch-100': {
    description: 'GET /products?ids=<100 ids> from L1 (one lookup per id, one response), against single uncached reads',
    target: 'bulwark',
    targetEnv: LONG_TTL_CACHE,
    baselines: ['product-by-id-db'],
    paths: batchPaths(),
    baselinePaths: { 'product-by-id-db': shuffledProducts() },
    itemsPerRequest: BATCH_SIZE,
    prime: true,
    afterCheck: { paths: EVERY_PRODUCT, header: 'x-cache', expect: 'L1' },
  },
};
