import { withTimeout } from '../lifecycle';
import type { ResolvedCacheOptions } from './cache.options';
import type { CacheEntry, CacheResult } from './cache.types';
import { newest } from './cache-entry.codec';
import type { MultiTierCache } from './multi-tier.cache';

/** Loads many values at once; keys it leaves out of the map do not exist (cached negatively). */
export type BatchLoader<T> = (keys: readonly string[]) => Promise<ReadonlyMap<string, T>>;

/**
 * Many keys in five steps and at most four round trips: L1, then one MGET
 * for every L1 miss, then (for what L2 lacks) one MGET of their generations
 * and one batch-loader call (one SQL `= ANY($1)`), then one pipeline filling
 * L2 with the loaded values whose keys no write touched meanwhile.
 * When the batch loader fails, keys with a stale value get it (fail-safe);
 * the error propagates only if some key has none.
 */
export class BatchReader {
  constructor(private readonly cache: MultiTierCache) {}

  getMany<T>(keys: readonly string[], loader: BatchLoader<T>, options: ResolvedCacheOptions): Promise<Map<string, CacheResult>> {
    return this.cache.generations.during((since) => this.getManySince(since, keys, loader, options));
  }

  private async getManySince<T>(
    since: number,
    keys: readonly string[],
    loader: BatchLoader<T>,
    options: ResolvedCacheOptions,
  ): Promise<Map<string, CacheResult>> {
    const { cache } = this;
    const results = new Map<string, CacheResult>();
    const l1Misses: string[] = [];
    for (const key of keys) {
      const fresh = cache.peekFresh(key);
      if (fresh) results.set(key, { entry: fresh, tier: 'L1' });
      else {
        cache.hotKeys.record(key);
        l1Misses.push(key);
      }
    }
    if (l1Misses.length === 0) return results;

    const fromL2 = await cache.l2Tier.readMany(l1Misses);
    const now = cache.now();
    const toLoad: string[] = [];
    const stale = new Map<string, CacheEntry>();
    l1Misses.forEach((key, i) => {
      const entry = fromL2[i];
      if (entry && now < entry.freshUntil) {
        results.set(key, cache.adoptFromL2(key, entry, options, since));
        return;
      }
      toLoad.push(key);
      const fallback = newest(entry, cache.l1.get(key), now);
      if (fallback && !fallback.negative) stale.set(key, fallback);
    });
    if (toLoad.length === 0) return results;

    cache.stats.misses += toLoad.length;
    cache.stats.batchLoads++;
    cache.stats.batchLoadedKeys += toLoad.length;
    // Read before anything the loader reads: see L2Store.generations.
    const generations = await cache.l2Tier.generations(toLoad);
    let values: ReadonlyMap<string, T>;
    try {
      values = await withTimeout(loader(toLoad), cache.loaderHardTimeoutMs, `batch load of ${toLoad.length} keys`);
    } catch (failure) {
      const error = cache.loaderFailed(failure, `batch load of ${toLoad.length} keys`);
      if (toLoad.some((key) => !stale.has(key))) throw error;
      for (const key of toLoad) {
        cache.stats.staleServed++;
        cache.stats.failSafeServed++;
        results.set(key, { entry: stale.get(key)!, tier: 'STALE' });
      }
      return results;
    }
    const fills: Array<{ key: string; entry: CacheEntry; generation: string }> = [];
    toLoad.forEach((key, i) => {
      const entry = cache.entries.of(values.get(key), options);
      results.set(key, { entry, tier: 'MISS' });
      if (cache.generations.overtaken(key, since)) {
        cache.stats.overtakenLoads++;
        return;
      }
      cache.l1.set(key, cache.entries.l1Copy(key, entry, options));
      const generation = generations?.[i];
      if (generation !== undefined) fills.push({ key, entry, generation });
    });
    await cache.fillL2(fills);
    return results;
  }
}
