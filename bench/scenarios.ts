import type { BenchRequest } from './load';
import { OVERLOAD_ADMIN_TOKEN, type OverloadScenario } from './overload';
import { PLAIN_FETCH_PREFIX, type ServerName } from './servers';

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
   * `'target'`: the target only (when priming a baseline would take too long).
   */
  readonly prime?: boolean | 'target';
  /** A response header whose values are counted on every measured response of every server. */
  readonly tallyHeader?: string;
  /**
   * After the last round, GET each of `paths` once from the target and
   * check that every response carries `header: expect` (a warning if not).
   */
  readonly afterCheck?: { readonly paths: readonly string[]; readonly header: string; readonly expect: string };
  /**
   * Helper servers started before the target and the baselines (not
   * measured); each one's URL is handed to the target and every baseline in
   * the variable `urlEnv` (e.g. a slow downstream in `RECOMMENDER_URL`).
   */
  readonly dependencies?: ReadonlyArray<{ readonly server: ServerName; readonly urlEnv: string }>;
  /**
   * A second load run at the same time as every warm-up and measurement, on
   * the same server, with its own paths and connections: how another route
   * fares meanwhile. Its figures are reported beside the main ones
   * (`alongside` in `latest.json`). `prime`: GET each of its paths once
   * first (instead of the scenario's `prime`, which primes `paths`).
   */
  readonly alongside?: { readonly label: string; readonly paths: readonly string[]; readonly connections: number; readonly prime?: boolean };
  /**
   * Writes sent instead of GETs of `paths`, to the target and every baseline.
   * The results then add `rows_per_s` (rows the server's writes changed in
   * PostgreSQL, per second of measurement) and, for the target, `flush_lag_ms`.
   */
  readonly writes?: readonly BenchRequest[];
  /** Write scenarios: the writes of baselines that take another request than the target (single-row PUTs against a bulk target). */
  readonly baselineWrites?: Partial<Record<ServerName, readonly BenchRequest[]>>;
  /**
   * Write scenarios: after the closed-loop rounds, load every server again at
   * one fixed rate, open loop (`bench/open-loop.ts`), for a round each per
   * round: the median rps that this server (a baseline) reached in the
   * closed-loop rounds, i.e. the rate at which it is saturated. The results
   * then add `at_rate` (latencies at that rate).
   */
  readonly atSaturationOf?: ServerName;
  /**
   * Servers of the scenario that run on a throwaway Redis Cluster (six local `redis-server`s, three
   * primaries, started for the scenario and stopped after it): REDIS_CLUSTER_NODES in their env.
   */
  readonly clusterServers?: readonly ServerName[];
  /** Write scenarios: the dependency whose `/health/ready` reports the flush lag (its workers flush); the target by default. */
  readonly flushLagFrom?: ServerName;
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

/** {@link LONG_TTL_CACHE} with L1 off (no entry is ever fresh there, hot keys included): every read is an L2 read. */
const L2_ONLY_CACHE: Readonly<Record<string, string>> = {
  ...LONG_TTL_CACHE,
  CACHE_L1_TTL_MS: '0',
  CACHE_HOT_L1_TTL_MS: '0',
  REDIS_KEY_PREFIX: `bulwark:bench-l2:${Date.now().toString(36)}:`,
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

/** `GET /products/:id/recommendations` for every seeded product once, in random order. */
function shuffledRecommendations(): string[] {
  return shuffledIds().map((id) => `/products/${id}/recommendations`);
}

/** `/products/1` … `/products/1000` in order: the after-run check of the L1 scenarios. */
const EVERY_PRODUCT = Array.from({ length: SEEDED_PRODUCTS }, (_, i) => `/products/${i + 1}`);

/** The recommendations paths of `product-with-slow-dependency`: one shuffle, shared by the target and the baseline. */
const RECOMMENDATION_PATHS = shuffledRecommendations();

/**
 * `PUT /products/:id` of the 1000 seeded ids, shuffled, each a full body with
 * the product's own SKU (no If-Match: unconditional), a new stock each time
 * the list comes round (the list holds 10 passes of different stocks).
 */
function productWrites(): BenchRequest[] {
  const writes: BenchRequest[] = [];
  for (let pass = 0; pass < 10; pass++) {
    for (const id of shuffledIds()) {
      const body = {
        sku: `DEMO-${String(id).padStart(7, '0')}`,
        name: `Demo product ${id}`,
        priceMinor: 100 + pass,
        currency: 'EUR',
        stock: pass,
        tags: ['demo'],
      };
      writes.push({ method: 'PUT', path: `/products/${id}`, body: JSON.stringify(body) });
    }
  }
  return writes;
}

/** Rows per request of `product-bulk-write`: the default CATALOG_BULK_MAX_ITEMS. */
export const BULK_ROWS = 100;

/**
 * `POST /products/bulk` of {@link BULK_ROWS} replaces each (distinct ids, the product's own SKU, no
 * precondition), the same 10 shuffled passes over the 1000 ids as {@link productWrites}, cut into
 * requests: the same rows and values, in bulk.
 */
function productBulkWrites(): BenchRequest[] {
  const items = productWrites().map((write) => ({ op: 'replace', id: Number(write.path.split('/').at(-1)), product: JSON.parse(write.body) as unknown }));
  const requests: BenchRequest[] = [];
  for (let i = 0; i + BULK_ROWS <= items.length; i += BULK_ROWS) {
    requests.push({ method: 'POST', path: '/products/bulk', body: JSON.stringify({ items: items.slice(i, i + BULK_ROWS) }) });
  }
  return requests;
}

/** Every scenario, by the name given on the command line; run in this order when none is named. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'product-by-id-db': {
    description: 'GET /products/:id read from PostgreSQL on every request (CACHE_ENABLED=false)',
    target: 'product-by-id-db',
    baselines: ['fastify-constant'],
    paths: shuffledProducts(),
  },
  'product-by-id-l1': {
    description: 'GET /products/:id of 1000 hot ids, every one a fresh L1 hit (answered by the fast path in front of Fastify)',
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
  'fleet-scaling': {
    description:
      'GET /products/:id of 1000 hot ids from L1, APP_PROCESSES=2 (a primary and two app processes sharing the port) against one process; ' +
      'both on the server core when pinned, so the per-core ratio is the cost per request of the cluster mode',
    target: 'bulwark',
    targetEnv: { ...LONG_TTL_CACHE, APP_PROCESSES: '2', REDIS_KEY_PREFIX: `${LONG_TTL_CACHE.REDIS_KEY_PREFIX}two-processes:` },
    baselines: ['one-process'],
    baselineEnv: { 'one-process': { ...LONG_TTL_CACHE, REDIS_KEY_PREFIX: `${LONG_TTL_CACHE.REDIS_KEY_PREFIX}one-process:` } },
    paths: shuffledProducts(),
    prime: true,
    tallyHeader: 'x-cache',
    afterCheck: { paths: EVERY_PRODUCT, header: 'x-cache', expect: 'L1' },
  },
  'fleet-scaling-ceiling': {
    description:
      'the ceiling of fleet-scaling: a bare node:http server (one pre-serialised body) as two processes behind a node:cluster primary ' +
      'against one process, both on the server core when pinned',
    target: 'node-http-buffer-cluster',
    baselines: ['node-http-buffer'],
    paths: shuffledProducts(),
  },
  'fleet-scaling-nest-ceiling': {
    description:
      'the ceiling of fleet-scaling for a Nest app: nest-cache-interceptor (Nest 11 on Fastify, GET /products/:id from an in-memory cache) as two processes ' +
      'behind a bare node:cluster primary against one process, both on the server core when pinned',
    target: 'nest-cache-interceptor-cluster',
    baselines: ['nest-cache-interceptor'],
    paths: shuffledProducts(),
    prime: true,
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
  'product-by-id-l1-cluster': {
    description: 'product-by-id-l1 with both Redis roles on a Redis Cluster (3 primaries, 3 replicas) against a standalone Redis: L1 hits never reach Redis',
    target: 'bulwark-cluster',
    targetEnv: { ...LONG_TTL_CACHE, REDIS_KEY_PREFIX: `${LONG_TTL_CACHE.REDIS_KEY_PREFIX}cluster:` },
    baselines: ['bulwark'],
    baselineEnv: { bulwark: LONG_TTL_CACHE },
    clusterServers: ['bulwark-cluster'],
    paths: shuffledProducts(),
    prime: true,
    tallyHeader: 'x-cache',
    afterCheck: { paths: EVERY_PRODUCT, header: 'x-cache', expect: 'L1' },
  },
  'product-batch-100-l2-cluster': {
    description:
      'GET /products?ids=<100 ids> from L2 (L1 off: CACHE_L1_TTL_MS=0), on a Redis Cluster (one MGET per slot, one pipeline per primary) against a standalone Redis (one MGET)',
    target: 'bulwark-cluster',
    targetEnv: { ...L2_ONLY_CACHE, REDIS_KEY_PREFIX: `${L2_ONLY_CACHE.REDIS_KEY_PREFIX}cluster:` },
    baselines: ['bulwark'],
    baselineEnv: { bulwark: L2_ONLY_CACHE },
    clusterServers: ['bulwark-cluster'],
    // Both answer the same 100 products per request: the ratio is of requests (no itemsPerRequest, which assumes single-read baselines).
    paths: batchPaths(),
    prime: true,
  },
  'product-with-slow-dependency': {
    description:
      'GET /products/:id/recommendations (and GET /products/:id alongside) while the recommender answers in 2 s: ' +
      'policies on (default RECOMMENDER_* numbers) vs a plain await fetch',
    target: 'bulwark',
    targetEnv: LONG_TTL_CACHE,
    baselines: ['plain-fetch'],
    baselineEnv: { 'plain-fetch': LONG_TTL_CACHE },
    dependencies: [{ server: 'slow-recommender', urlEnv: 'RECOMMENDER_URL' }],
    paths: RECOMMENDATION_PATHS,
    // The same requests, on the baseline's bench-only route.
    baselinePaths: { 'plain-fetch': RECOMMENDATION_PATHS.map((path) => `${PLAIN_FETCH_PREFIX}${path}`) },
    // The target's fallback (related ids) cached for every product, as on a pod that has run a while;
    // the baseline would take 1000 × 2 s / 16 ≈ 2 min to prime and has no fallback to warm.
    prime: 'target',
    tallyHeader: 'x-fallback-reason',
    alongside: { label: 'GET /products/:id', paths: shuffledProducts(), connections: 16, prime: true },
  },
  'product-write-behind': {
    description: 'PUT /products/:id of 1000 ids: write-behind (Redis + BullMQ, batched upserts) against a synchronous TypeORM save per request',
    target: 'bulwark-write-behind',
    // nest-put-noop stores nothing: the ceiling of any write path inside a Nest handler (no rows landed).
    baselines: ['sync-save', 'nest-put-noop', 'write-behind-ungrouped'],
    paths: [],
    writes: productWrites(),
    atSaturationOf: 'sync-save',
  },
  'product-bulk-write': {
    description: `POST /products/bulk of ${BULK_ROWS} replaces: write-behind (one group commit per request) against sync-save's single-row PUTs of the same rows and sync-bulk (the same bulk body, one multi-row UPDATE)`,
    target: 'bulwark-write-behind',
    baselines: ['sync-save', 'sync-bulk'],
    baselineWrites: { 'sync-save': productWrites() },
    paths: [],
    writes: productBulkWrites(),
    atSaturationOf: 'sync-bulk',
  },
  'product-write-behind-cluster': {
    description: 'product-write-behind with both Redis roles on a Redis Cluster (the write state and the queue each in one slot) against a standalone Redis',
    target: 'write-behind-cluster',
    baselines: ['bulwark-write-behind'],
    clusterServers: ['write-behind-cluster'],
    paths: [],
    writes: productWrites(),
  },
  'product-write-behind-split': {
    description:
      'as product-write-behind, with the API (APP_ROLE=api, pinned like every server) and the worker ' +
      '(APP_ROLE=worker, a helper process, not pinned) apart, as deploy/k8s/ runs them',
    target: 'write-behind-api',
    baselines: ['sync-save'],
    dependencies: [{ server: 'write-behind-worker', urlEnv: 'BENCH_WORKER_URL' }],
    flushLagFrom: 'write-behind-worker',
    paths: [],
    writes: productWrites(),
    atSaturationOf: 'sync-save',
  },
};

/**
 * Scenarios that offer multiples of a server's capacity open loop (`bench/overload.ts`): not
 * comparable ratios of closed-loop rps, so they run apart from {@link SCENARIOS}.
 */
export const OVERLOAD_SCENARIOS: Readonly<Record<string, OverloadScenario>> = {
  overload: {
    description:
      'uncached reads of GET /products/:id (essential, 4 in 5) and GET /products/:id/recommendations (sheddable, 1 in 5; a recommender answering in 2 ms), ' +
      'offered at 1x, 2x and 5x the capacity measured in the same run, open loop, with a readiness probe every 100 ms',
    mix: [
      { criticality: 'essential', paths: shuffledProducts(), weight: 4 },
      { criticality: 'sheddable', paths: shuffledRecommendations(), weight: 1 },
    ],
    servers: ['bulwark-limited', 'no-limit', 'under-pressure'],
    capacityOf: 'no-limit',
    serverEnv: { CACHE_ENABLED: 'false', DEGRADATION_SHEDDING_ENABLED: 'false', ADMIN_TOKEN: OVERLOAD_ADMIN_TOKEN },
    dependencies: [{ server: 'fast-recommender', urlEnv: 'RECOMMENDER_URL' }],
    multiples: [1, 2, 5],
  },
};
