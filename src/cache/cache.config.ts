import { z } from 'zod';
import { defineConfig, type ConfigOf, boolVar, intVar } from '../config';

/**
 * The multi-tier cache: module-wide defaults. Features override them per
 * route (`@Cached({ ttlMs })`) and per call (`getOrLoad(key, loader, { ttlMs })`).
 */
export const cacheConfig = defineConfig(
  'cache',
  z.object({
    CACHE_ENABLED: boolVar(true).describe('Serve reads through the cache; false sends every read to the loader (the database).'),
    CACHE_TTL_MS: intVar(60_000, 0).describe('How long a loaded value is fresh in L2 (Redis).'),
    CACHE_L1_TTL_MS: intVar(5_000, 0).describe('How long a value is fresh in L1 (this process); short, since other pods may change it.'),
    CACHE_HOT_L1_TTL_MS: intVar(30_000, 0).describe('L1 freshness of hot keys (the most requested ones).'),
    CACHE_STALE_MS: intVar(30_000, 0).describe('After expiry, how long a value is served stale while one background refresh runs.'),
    CACHE_MAX_STALE_MS: intVar(300_000, 0).describe('Fail-safe: how long after expiry a stale value may still be served when the loader fails.'),
    CACHE_NEGATIVE_TTL_MS: intVar(5_000, 0).describe('How long a "not found" is cached, so missing ids do not reach the database each time.'),
    CACHE_JITTER_PERCENT: intVar(10, 0, 50).describe('TTLs vary by up to this share (±), so keys written together do not expire together.'),
    CACHE_LOADER_SOFT_TIMEOUT_MS: intVar(200, 1).describe(
      'When a refresh takes longer and a stale value exists, serve it and let the load finish in the background.',
    ),
    CACHE_LOADER_HARD_TIMEOUT_MS: intVar(3_000, 1).describe('A load taking longer is abandoned (the request gets the stale value or an error).'),
    CACHE_L1_MAX_ENTRIES: intVar(100_000, 1).describe('Most entries L1 holds.'),
    CACHE_L1_MAX_BYTES: intVar(64 * 1024 * 1024, 1024).describe('Most bytes of values L1 holds.'),
    CACHE_L2_TIMEOUT_MS: intVar(50, 1).describe('A Redis cache call taking longer counts as a failure (the read goes on without L2).'),
    CACHE_L2_BREAKER_THRESHOLD: intVar(5, 1).describe('Consecutive L2 failures that open its breaker (L2 is skipped while open).'),
    CACHE_L2_BREAKER_HALF_OPEN_MS: intVar(2_000, 10).describe('How long the L2 breaker stays open before one probe call may close it.'),
    CACHE_LOCK_TTL_MS: intVar(2_000, 10).describe('Cross-pod load lock: how long one pod may hold the right to load a key.'),
    CACHE_LOCK_WAIT_MS: intVar(250, 0).describe('How long other pods wait for the lock holder to fill L2 before loading themselves.'),
    CACHE_BUS_ACK_TIMEOUT_MS: intVar(100, 0, 10_000).describe(
      'A write answers once every other pod has acknowledged dropping its keys from L1, or after this long (0: it does not wait; another pod may then answer the old value for a moment).',
    ),
    CACHE_BATCH_MAX_KEYS: intVar(500, 1).describe('Most keys one coalesced batch lookup (one MGET, one SQL IN) carries.'),
    CACHE_REFRESH_AHEAD_ENABLED: boolVar(true).describe(
      'Reload the hottest keys shortly before they expire (schedule cache-refresh-ahead, once per fleet, on api processes), so they never miss nor go stale under steady traffic. Only keys with a reloader (CacheService.reloadable) are reloaded.',
    ),
    CACHE_REFRESH_AHEAD_EVERY_MS: intVar(1_000, 50).describe('How often the refresh-ahead schedule looks at the hot keys.'),
    CACHE_REFRESH_AHEAD_WINDOW_MS: intVar(5_000, 1).describe(
      'A hot key whose entry expires within this long is reloaded (at least twice CACHE_REFRESH_AHEAD_EVERY_MS is used, so a key is seen before it expires).',
    ),
    CACHE_REFRESH_AHEAD_MAX_KEYS: intVar(100, 1, 10_000).describe('Most hot keys one pass looks at, the hottest first.'),
    CACHE_REFRESH_AHEAD_MIN_HITS: intVar(100, 1).describe(
      'Estimated hits over the hot-key window (10 s) a key needs to be refreshed ahead; colder keys load on their next miss as usual.',
    ),
  }),
  (env) => ({
    enabled: env.CACHE_ENABLED,
    ttlMs: env.CACHE_TTL_MS,
    l1TtlMs: env.CACHE_L1_TTL_MS,
    hotL1TtlMs: env.CACHE_HOT_L1_TTL_MS,
    staleMs: env.CACHE_STALE_MS,
    maxStaleMs: env.CACHE_MAX_STALE_MS,
    negativeTtlMs: env.CACHE_NEGATIVE_TTL_MS,
    jitter: env.CACHE_JITTER_PERCENT / 100,
    loaderSoftTimeoutMs: env.CACHE_LOADER_SOFT_TIMEOUT_MS,
    loaderHardTimeoutMs: env.CACHE_LOADER_HARD_TIMEOUT_MS,
    l1MaxEntries: env.CACHE_L1_MAX_ENTRIES,
    l1MaxBytes: env.CACHE_L1_MAX_BYTES,
    l2TimeoutMs: env.CACHE_L2_TIMEOUT_MS,
    l2BreakerThreshold: env.CACHE_L2_BREAKER_THRESHOLD,
    l2BreakerHalfOpenMs: env.CACHE_L2_BREAKER_HALF_OPEN_MS,
    lockTtlMs: env.CACHE_LOCK_TTL_MS,
    lockWaitMs: env.CACHE_LOCK_WAIT_MS,
    batchMaxKeys: env.CACHE_BATCH_MAX_KEYS,
    busAckTimeoutMs: env.CACHE_BUS_ACK_TIMEOUT_MS,
    refreshAhead: {
      enabled: env.CACHE_REFRESH_AHEAD_ENABLED,
      everyMs: env.CACHE_REFRESH_AHEAD_EVERY_MS,
      windowMs: Math.max(env.CACHE_REFRESH_AHEAD_WINDOW_MS, 2 * env.CACHE_REFRESH_AHEAD_EVERY_MS),
      maxKeys: env.CACHE_REFRESH_AHEAD_MAX_KEYS,
      minHits: env.CACHE_REFRESH_AHEAD_MIN_HITS,
    },
  }),
);
export type CacheConfig = ConfigOf<typeof cacheConfig>;
