import type { CacheConfig } from './cache.config';

/**
 * Options of one cached value, layered module → feature → call: each layer
 * overrides the one before, field by field. Module defaults come from the
 * `CACHE_*` variables (README, configuration table); durations are milliseconds.
 */
export interface CacheOptions {
  /** Freshness in L2 (Redis). @default CACHE_TTL_MS (60 000) */
  readonly ttlMs?: number;
  /** Freshness in L1 (this process); capped by `ttlMs`. @default CACHE_L1_TTL_MS (5 000) */
  readonly l1TtlMs?: number;
  /** After expiry, serve stale at once and refresh in the background (once). @default CACHE_STALE_MS (30 000) */
  readonly staleMs?: number;
  /** Fail-safe horizon: serve stale up to this long after expiry when the loader fails. @default CACHE_MAX_STALE_MS (300 000) */
  readonly maxStaleMs?: number;
  /** How long a "not found" is cached. @default CACHE_NEGATIVE_TTL_MS (5 000) */
  readonly negativeTtlMs?: number;
  /** Tags for `deleteByTag`. @default [] */
  readonly tags?: readonly string[];
  /**
   * Derives the ETag of a value (quoted), e.g. from its version, so that the
   * ETag a client reads is one it can send back in `If-Match`.
   * @default a hash of the stored bytes
   */
  readonly etagOf?: (value: unknown) => string;
}

/** Every option with a value, after layering (`etagOf` stays optional). */
export type ResolvedCacheOptions = Required<Omit<CacheOptions, 'etagOf'>> & Pick<CacheOptions, 'etagOf'>;

/** The module layer, from config. */
export function moduleDefaults(config: CacheConfig): ResolvedCacheOptions {
  return {
    ttlMs: config.ttlMs,
    l1TtlMs: config.l1TtlMs,
    staleMs: config.staleMs,
    maxStaleMs: Math.max(config.maxStaleMs, config.staleMs),
    negativeTtlMs: config.negativeTtlMs,
    tags: [],
  };
}

/** Layers `overrides` over `base`, ignoring undefined fields. */
export function layerOptions(base: ResolvedCacheOptions, ...overrides: ReadonlyArray<CacheOptions | undefined>): ResolvedCacheOptions {
  let result = base;
  for (const layer of overrides) {
    if (!layer) continue;
    const defined = Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined)) as CacheOptions;
    result = { ...result, ...defined };
  }
  return result;
}

/** `ms` varied uniformly by ±`jitter` (a share, e.g. 0.1), so keys written together expire apart. */
export function jittered(ms: number, jitter: number, random: () => number = Math.random): number {
  if (ms <= 0 || jitter <= 0) return ms;
  return Math.max(1, Math.round(ms * (1 + (random() * 2 - 1) * jitter)));
}
