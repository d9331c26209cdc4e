import type { CacheEntry, CacheResult } from './cache.types';

/** Reads a batch of keys (one `BatchReader.getMany`). */
export type ReadBatch = (keys: readonly string[]) => Promise<Map<string, CacheResult>>;

/** A fresh L1 entry, synchronously, or undefined (`MultiTierCache.peekFresh`). */
export type PeekFresh = (key: string) => CacheEntry | undefined;

interface Waiter {
  readonly keys: readonly string[];
  resolve(results: Map<string, CacheResult>): void;
  reject(error: unknown): void;
}

/**
 * Merges the lookups that arrive in the same tick into batches of at most
 * `maxKeys` keys: 50 concurrent requests for 2 ids each become one MGET and
 * one SQL query, not 50 of each. A request whose keys span two batches waits
 * for both. Fresh L1 hits are answered at once and never join a batch: a
 * lookup that L1 answers whole does not wait for the next turn of the loop.
 */
export class BatchCoalescer {
  private waiters: Waiter[] = [];
  private scheduled = false;

  constructor(
    private readonly read: ReadBatch,
    private readonly maxKeys: number,
    private readonly peek: PeekFresh = () => undefined,
  ) {}

  load(keys: readonly string[]): Promise<Map<string, CacheResult>> {
    const results = new Map<string, CacheResult>();
    const misses: string[] = [];
    for (const key of keys) {
      const entry = this.peek(key);
      if (entry === undefined) misses.push(key);
      else results.set(key, { entry, tier: 'L1' });
    }
    if (misses.length === 0) return Promise.resolve(results);
    return this.enqueue(misses).then((loaded) => {
      if (results.size === 0) return loaded;
      // In the caller's key order.
      return new Map(keys.map((key) => [key, results.get(key) ?? loaded.get(key)!]));
    });
  }

  private enqueue(keys: readonly string[]): Promise<Map<string, CacheResult>> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ keys, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not nextTick: requests parsed in the same I/O phase join the batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const waiters = this.waiters;
    this.waiters = [];
    this.scheduled = false;
    const unique = [...new Set(waiters.flatMap((w) => w.keys))];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += this.maxKeys) batches.push(unique.slice(i, i + this.maxKeys));
    const outcomes = await Promise.allSettled(batches.map((batch) => this.read(batch)));
    const results = new Map<string, CacheResult>();
    const failures = new Map<string, unknown>();
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') for (const [key, result] of outcome.value) results.set(key, result);
      else for (const key of batches[i]) failures.set(key, outcome.reason);
    });
    for (const waiter of waiters) {
      const failed = waiter.keys.find((key) => failures.has(key));
      if (failed !== undefined) waiter.reject(failures.get(failed));
      else waiter.resolve(new Map(waiter.keys.map((key) => [key, results.get(key)!])));
    }
  }
}
