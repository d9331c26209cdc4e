import { Inject, Injectable } from '@nestjs/common';
import { InjectConfig } from '../config';
import { cacheConfig, type CacheConfig } from './cache.config';
import { BatchCoalescer } from './batch.coalescer';
import { BatchReader, type BatchLoader } from './batch.reader';
import { MULTI_TIER_CACHE, TAG_INDEX } from './cache.tokens';
import { CacheReloaders } from './cache-reloaders';
import { ResourceNotFoundError } from '../http';
import { layerOptions, moduleDefaults, type CacheOptions, type ResolvedCacheOptions } from './cache.options';
import type { TagIndex } from './tag.index';
import { Absent, type CacheEntry, type CacheResult, type Loader } from './cache.types';
import type { MultiTierCache } from './multi-tier.cache';

/** A coalescing batch lookup made by {@link CacheService.batch}. */
export interface CachedBatch {
  /** Entries for `keys` (merged with the other lookups of the same tick). */
  load(keys: readonly string[]): Promise<Map<string, CacheResult>>;
}

/**
 * The cache API for feature teams. Options layer module (CACHE_* config) →
 * feature (`defaults` of {@link scope}) → call. With `CACHE_ENABLED=false`
 * every lookup goes straight to its loader.
 */
@Injectable()
export class CacheService {
  private readonly reader: BatchReader;
  private readonly defaults: ResolvedCacheOptions;

  constructor(
    @Inject(MULTI_TIER_CACHE) private readonly tiers: MultiTierCache,
    @Inject(TAG_INDEX) private readonly tags: TagIndex,
    @InjectConfig(cacheConfig) private readonly config: CacheConfig,
    private readonly reloaders: CacheReloaders,
  ) {
    this.reader = new BatchReader(tiers);
    this.defaults = moduleDefaults(config);
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /**
   * False while L2 (Redis) is known to be failing (its breaker is open): a
   * feature that reads other state from the same Redis can skip it then
   * instead of waiting for a timeout.
   */
  get l2Available(): boolean {
    return this.tiers.l2.state() !== 'open';
  }

  /**
   * The loads of `keys` in flight now (typically: the caller's own, from inside its loader) answer
   * their callers but fill no tier, as if a write had overtaken them. For a loader that had to answer
   * from a degraded source (the catalog's PostgreSQL read without the writes still in Redis): the
   * answer is not worth keeping, and the next read loads again.
   */
  keepNoFill(keys: readonly string[]): void {
    if (this.config.enabled) this.tiers.dropFromLoads(keys);
  }

  /** Module defaults with `layers` on top, in order. */
  options(...layers: ReadonlyArray<CacheOptions | undefined>): ResolvedCacheOptions {
    return layerOptions(this.defaults, ...layers);
  }

  /** The value of `key`, loading it on a miss; undefined when the loader says it does not exist. */
  async getOrLoad<T>(key: string, loader: Loader<T>, options?: CacheOptions): Promise<T | undefined> {
    if (!this.enabled) {
      const value = await loader();
      return value instanceof Absent || value === null ? undefined : value;
    }
    return parse<T>(await this.tiers.get(key, loader, this.options(options)));
  }

  /**
   * The entry (the stored bytes) of `key`, loading it on a miss, and the tier
   * that answered: for responses written without re-serializing (`@Cached()`).
   */
  async getEntryOrLoad(key: string, loader: Loader<unknown>, options: ResolvedCacheOptions): Promise<CacheResult> {
    return this.tiers.get(key, loader, options);
  }

  /** The fresh L1 entry of `key`, if there is one; nothing is loaded or counted (the L1 fast path). */
  peekFresh(key: string): CacheEntry | undefined {
    return this.tiers.peekFresh(key);
  }

  /**
   * The cached value of `key` from L1 or L2, fresh or stale (within its stale horizon), loading
   * nothing; undefined when neither tier holds it (or holds a "not found"), when L2 fails, or
   * with the cache off. For fallbacks that may serve only what is cached (a degraded route).
   */
  async peek<T>(key: string): Promise<T | undefined> {
    if (!this.enabled) return undefined;
    const entry = await this.tiers.peek(key);
    return entry === undefined || entry.negative ? undefined : (JSON.parse(entry.body.toString('utf8')) as T);
  }

  /** The values of `keys` (one MGET, one batch load for what is left); absent keys map to undefined. */
  async getManyOrLoad<T>(keys: readonly string[], loader: BatchLoader<T>, options?: CacheOptions): Promise<Map<string, T | undefined>> {
    if (!this.enabled) {
      const values = await loader(keys);
      return new Map(keys.map((key) => [key, values.get(key)]));
    }
    const results = await this.reader.getMany(keys, loader, this.options(options));
    return new Map(keys.map((key) => [key, parse<T>(results.get(key))]));
  }

  /**
   * A batch lookup whose calls within one tick are merged into batches of at
   * most `CACHE_BATCH_MAX_KEYS` keys: many concurrent requests, one MGET and
   * one batch-loader call. Returns entries (bytes), for responses built
   * without re-serializing.
   */
  batch<T>(loader: BatchLoader<T>, options?: CacheOptions): CachedBatch {
    const resolved = this.options(options);
    if (!this.enabled) {
      return {
        load: async (keys) => {
          const values = await loader(keys);
          return new Map(keys.map((key) => [key, { entry: this.tiers.entries.of(values.get(key), resolved), tier: 'MISS' as const }]));
        },
      };
    }
    return new BatchCoalescer(
      (keys) => this.reader.getMany(keys, loader, resolved),
      this.config.batchMaxKeys,
      (key) => this.tiers.peekFresh(key),
    );
  }

  /**
   * Declares how to load any key starting with `prefix` again, so the
   * refresh-ahead schedule can reload it before it expires when it is hot
   * (`CACHE_REFRESH_AHEAD_*`). `load` is what a miss of the key loads (the
   * loader of its `@Cached()` route or `getOrLoad` call), with the same
   * `options`; a `ResourceNotFoundError` or `undefined` from it caches "not
   * found", as on a miss. Keys without a reloader are never refreshed ahead.
   *
   * @example cache.reloadable('product:', (key) => this.get(Number(key.slice(8))), PRODUCT_CACHE);
   */
  reloadable(prefix: string, load: (key: string) => Promise<unknown>, options?: CacheOptions): void {
    this.reloaders.add({
      prefix,
      options: this.options(options),
      loaderOf: (key) => () =>
        load(key).catch((error: unknown) => {
          if (error instanceof ResourceNotFoundError) return new Absent(error.message);
          throw error;
        }),
    });
  }

  /** Stores `value` in L2 and this pod's L1, and drops `key` from the other pods' L1. */
  async set(key: string, value: unknown, options?: CacheOptions): Promise<void> {
    if (this.enabled) await this.tiers.set(key, value, this.options(options));
  }

  /** {@link set} for several keys with the same options: one L2 round trip and one bus message for all. */
  async setMany(items: ReadonlyArray<{ readonly key: string; readonly value: unknown }>, options?: CacheOptions): Promise<void> {
    if (this.enabled && items.length > 0) await this.tiers.setMany(items, this.options(options));
  }

  /** Drops `keys` from every tier and every pod. */
  async delete(...keys: string[]): Promise<void> {
    if (this.enabled) await this.tiers.delete(keys);
  }

  /** Drops every key written with `tag`. Returns how many. */
  async deleteByTag(tag: string): Promise<number> {
    const keys = await this.tags.take(tag);
    await this.tiers.delete(keys);
    return keys.length;
  }

  /** Counters per tier and protection, L1 occupancy and the L2 breaker state, for metrics and operators. */
  stats(): Record<string, number | string> {
    return { ...this.tiers.stats.snapshot(), l1Entries: this.tiers.l1.size, l1Bytes: this.tiers.l1.bytes, l2Breaker: this.tiers.l2.state() };
  }

  /** The most requested keys of the last window, for operators. */
  hotKeys(limit?: number): Array<{ key: string; estimatedHits: number }> {
    return this.tiers.hotKeys.top(limit);
  }
}

function parse<T>(result: CacheResult | undefined): T | undefined {
  if (!result || result.entry.negative) return undefined;
  return JSON.parse(result.entry.body.toString('utf8')) as T;
}
