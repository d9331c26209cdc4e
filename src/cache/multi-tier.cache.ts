import { Logger } from '@nestjs/common';
import { TimeoutError, withTimeout } from '../lifecycle';
import type { CacheBus } from './cache-bus';
import { CacheEntries } from './cache-entries';
import { newest } from './cache-entry.codec';
import type { CacheLock, LockAttempt } from './cache-lock';
import type { ResolvedCacheOptions } from './cache.options';
import { LoadTimeoutError } from './cache.errors';
import { CacheStats } from './cache.stats';
import type { Absent, CacheEntry, CacheResult, L1Store, L2Store, Loader } from './cache.types';
import type { HotKeyTracker } from './hot-keys.tracker';
import { KeyGenerations } from './key-generations';
import { L2Tier } from './l2-tier';
import { L2WriteGroups } from './l2-write-groups';
import { SingleFlight } from './single-flight';
import type { TagIndex } from './tag.index';

/** Timing knobs that are not per-value options. */
export interface MultiTierCacheTimings {
  readonly jitter: number;
  readonly hotL1TtlMs: number;
  readonly loaderSoftTimeoutMs: number;
  readonly loaderHardTimeoutMs: number;
  readonly lockWaitMs: number;
}

/**
 * The read path: L1 (this process) → L2 (Redis) → loader, with
 * - single-flight: one load per key per process, and a short Redis lock so
 *   that one pod loads while the others wait for L2 to fill;
 * - stale-while-revalidate: within `staleMs` after expiry the old value is
 *   served at once and refreshed in the background, once;
 * - fail-safe: when the loader throws or passes its soft timeout, a stale value
 *   (up to `maxStaleMs` after expiry) is served instead of an error (counted in
 *   `stats.failSafeServed` and logged);
 * - negative caching, jittered TTLs, hot keys kept longer in L1;
 * - L2 failures are misses, and writes and deletes that fail are replayed
 *   when L2 recovers ({@link L2Tier});
 * - read-your-writes: a load fills a tier only if no write of its key (on any
 *   pod) came after it began, checked per process ({@link KeyGenerations})
 *   and in Redis (the L2 store's generations); a write ends the flights it
 *   overtook, so readers after it start a new load instead of joining one
 *   that may return the old value.
 */
export class MultiTierCache {
  private readonly logger = new Logger('Cache');
  readonly stats = new CacheStats();
  /** The hard timeout of every loader call, batch loaders included. */
  readonly loaderHardTimeoutMs: number;
  private readonly flights = new SingleFlight<CacheResult>();
  private readonly refreshes = new SingleFlight<CacheResult>();
  /** L2 as reads use it: failures are misses, failed writes are replayed, tags are indexed. */
  readonly l2Tier: L2Tier;
  /** Writes of keys that loads in flight must not overwrite. */
  readonly generations: KeyGenerations;
  /** How entries are made (serialized once, jittered TTLs; L1's copy). */
  readonly entries: CacheEntries;
  /** The L2 changes and bus messages of writes, one group per event-loop turn. */
  private readonly writes: L2WriteGroups;

  constructor(
    readonly l1: L1Store,
    readonly l2: L2Store,
    readonly hotKeys: HotKeyTracker,
    private readonly lock: Pick<CacheLock, 'acquire' | 'release'>,
    private readonly bus: Pick<CacheBus, 'publish'> | undefined,
    tagIndex: Pick<TagIndex, 'add'> | undefined,
    private readonly timings: MultiTierCacheTimings,
    readonly now: () => number = Date.now,
  ) {
    this.loaderHardTimeoutMs = timings.loaderHardTimeoutMs;
    this.entries = new CacheEntries(hotKeys, timings, now);
    this.l2Tier = new L2Tier(l2, tagIndex, now, (keys) => (this.stats.pendingInvalidationsReplayed += keys));
    // No load lives longer than its lock wait and hard timeout; twice that and a second of margin.
    this.generations = new KeyGenerations(2 * (timings.lockWaitMs + timings.loaderHardTimeoutMs) + 1_000, now);
    this.writes = new L2WriteGroups(this.l2Tier, async (keys, l2Stale) => {
      this.stats.busPublished++;
      await this.bus?.publish(keys, { l2Stale });
    });
  }

  /**
   * A fresh L1 entry, synchronously, or undefined. The L1 fast path serves
   * these without entering Nest; anything else takes {@link get}.
   */
  peekFresh(key: string): CacheEntry | undefined {
    const entry = this.l1.get(key);
    if (entry === undefined || this.now() >= (entry.l1FreshUntil ?? entry.freshUntil)) return undefined;
    this.hotKeys.record(key);
    this.countHit(entry, 'L1');
    return entry;
  }

  /** The entry of `key` from L1, else L2, while it may still be served (fresh or stale); nothing is loaded, locked or filled. */
  async peek(key: string): Promise<CacheEntry | undefined> {
    const now = this.now();
    const l1 = this.l1.get(key);
    if (l1 !== undefined && now < l1.staleUntil) return l1;
    const l2 = await this.l2Tier.read(key);
    return l2 !== undefined && this.now() < l2.staleUntil ? l2 : undefined;
  }

  /** The entry for `key` from the nearest tier that has it fresh, loading it when none has. */
  get<T>(key: string, loader: Loader<T>, options: ResolvedCacheOptions): Promise<CacheResult> {
    const fresh = this.peekFresh(key);
    if (fresh) return Promise.resolve({ entry: fresh, tier: 'L1' });
    this.hotKeys.record(key);
    return this.flights.run(key, () => this.fill(key, loader, options));
  }

  /** Refresh-ahead: reloads `key` (fresh until `freshUntil`) as a miss would; only a fresher L2 entry (another pod's, a write's) is adopted instead. */
  refreshAhead<T>(key: string, loader: Loader<T>, options: ResolvedCacheOptions, freshUntil: number): Promise<CacheResult> {
    this.stats.refreshAheads++;
    return this.refreshes.run(key, () => this.load(key, loader, options, freshUntil));
  }

  /** Stores `value` in L2 and L1 (for writes: a client reads its own write at once) and drops it from other pods' L1. */
  async set(key: string, value: unknown, options: ResolvedCacheOptions): Promise<CacheEntry> {
    const [entry] = await this.setMany([{ key, value }], options);
    return entry;
  }

  /**
   * {@link set} for several keys at once. L1 at once; L2 and the bus with the other writes of this
   * event-loop turn (one round trip, one bus message: {@link L2WriteGroups}). When the L2 write
   * fails, L2 may still hold the old values: this pod and (told by the bus) every other skip them until deleted.
   */
  async setMany(items: ReadonlyArray<{ readonly key: string; readonly value: unknown }>, options: ResolvedCacheOptions): Promise<CacheEntry[]> {
    this.overtake(items.map((item) => item.key));
    const entries = items.map(({ key, value }) => ({ key, entry: this.entries.of(value, options) }));
    for (const { key, entry } of entries) this.l1.set(key, this.entries.l1Copy(key, entry, options));
    await this.writes.apply({ kind: 'set', entries });
    return entries.map((write) => write.entry);
  }

  /** Drops `keys` from every tier and every pod's L1 (L2 and the bus grouped as for {@link setMany}). */
  async delete(keys: readonly string[]): Promise<void> {
    this.overtake(keys);
    for (const key of keys) this.l1.delete(key);
    await this.writes.apply({ kind: 'delete', keys });
  }

  /** Applies invalidations received from other pods. */
  dropFromL1(keys: readonly string[], l2Stale = false): void {
    this.stats.busReceived++;
    if (l2Stale) this.l2Tier.markStale(keys);
    this.overtake(keys);
    for (const key of keys) this.l1.delete(key);
  }

  /** The loads of `keys` in flight fill no tier (see `CacheService.keepNoFill`). */
  dropFromLoads(keys: readonly string[]): void {
    this.overtake(keys);
  }

  /** Clears L1 after a bus gap: this pod may have missed invalidations. */
  clearL1(): void {
    this.stats.l1ClearsAfterBusGap++;
    this.generations.overtakeAll();
    this.flights.forgetAll();
    this.refreshes.forgetAll();
    this.l1.clear();
  }

  /** `keys` were written: loads in flight must not fill a tier with what they read, and later readers must not join them. */
  private overtake(keys: readonly string[]): void {
    this.generations.overtake(keys);
    for (const key of keys) {
      this.flights.forget(key);
      this.refreshes.forget(key);
    }
  }

  /** Re-sends the L2 deletes that failed during an outage (or clears L2 after too many); call when L2 answers again. */
  async replayPendingInvalidations(): Promise<void> {
    await this.l2Tier.replayPending();
  }

  private fill<T>(key: string, loader: Loader<T>, options: ResolvedCacheOptions): Promise<CacheResult> {
    return this.generations.during((since) => this.fillSince(since, key, loader, options));
  }

  private async fillSince<T>(since: number, key: string, loader: Loader<T>, options: ResolvedCacheOptions): Promise<CacheResult> {
    const l1Stale = this.l1.get(key);
    const l2 = await this.l2Tier.read(key);
    const now = this.now();
    if (l2 && now < l2.freshUntil) return this.adoptFromL2(key, l2, options, since);
    const stale = newest(l2, l1Stale, now);
    if (stale && now < stale.freshUntil + options.staleMs && !stale.negative) {
      // Stale-while-revalidate: answer now, refresh once in the background.
      void this.refreshes.run(key, () => this.load(key, loader, options)).catch(() => undefined);
      this.stats.backgroundRefreshes++;
      this.stats.staleServed++;
      return { entry: stale, tier: 'STALE' };
    }
    this.stats.misses++;
    const loading = this.refreshes.run(key, () => this.load(key, loader, options));
    if (!stale || stale.negative) return loading;
    return this.failSafe(key, loading, stale);
  }

  /** Waits for `loading` up to the soft timeout; on timeout or failure serves `stale` (fail-safe). */
  private async failSafe(key: string, loading: Promise<CacheResult>, stale: CacheEntry): Promise<CacheResult> {
    try {
      return await withTimeout(loading, this.timings.loaderSoftTimeoutMs, `refresh of ${key}`);
    } catch (error) {
      if (!(error instanceof TimeoutError)) this.logger.warn(`serving stale ${key}: loader failed (${(error as Error).message})`);
      loading.catch(() => undefined);
      this.stats.staleServed++;
      this.stats.failSafeServed++;
      return { entry: stale, tier: 'STALE' };
    }
  }

  /**
   * Loads under the cross-pod lock, then fills L1 and L2, each only if no
   * write of the key came after the load began. The lock is not even asked
   * for while the L2 breaker is not closed: Redis is down or slow, so nobody
   * would fill L2 for us. A load past the hard timeout is a
   * {@link LoadTimeoutError} (503).
   */
  private async load<T>(key: string, loader: Loader<T>, options: ResolvedCacheOptions, newerThan = 0): Promise<CacheResult> {
    const since = this.generations.begin();
    // The generation is read before anything the loader reads, with the lock attempt (no extra wait).
    const [attempt, generation] = await Promise.all([
      this.l2Tier.up ? this.lock.acquire(key) : ({ kind: 'unavailable' } as const),
      this.l2Tier.generations([key]),
    ]);
    try {
      const filled = await this.filledMeanwhile(key, attempt, newerThan);
      if (filled) return this.adoptFromL2(key, filled, options, since);
      this.stats.loads++;
      const value = await this.callLoader(key, loader);
      const entry = this.entries.of(value, options);
      if (this.generations.overtaken(key, since)) {
        this.stats.overtakenLoads++;
        return { entry, tier: 'MISS' };
      }
      this.l1.set(key, this.entries.l1Copy(key, entry, options));
      if (generation !== undefined) await this.fillL2([{ key, entry, generation: generation[0] }]);
      return { entry, tier: 'MISS' };
    } finally {
      this.generations.end();
      if (attempt.kind === 'acquired') void this.lock.release(key, attempt.token);
    }
  }

  /** The loader's value within the hard timeout; counts and logs what goes wrong. */
  private async callLoader<T>(key: string, loader: Loader<T>): Promise<T | Absent | null | undefined> {
    try {
      return await withTimeout(loader(), this.timings.loaderHardTimeoutMs, `load of ${key}`);
    } catch (error) {
      throw this.loaderFailed(error, key);
    }
  }

  /** Counts a failed load; a timeout becomes a {@link LoadTimeoutError}, logged as the dependency problem it is. */
  loaderFailed(error: unknown, what: string): unknown {
    this.stats.loaderErrors++;
    if (!(error instanceof TimeoutError)) return error;
    this.stats.loaderTimeouts++;
    this.logger.warn({ what, timeoutMs: this.timings.loaderHardTimeoutMs }, 'load passed the hard timeout; answered 503');
    return new LoadTimeoutError(this.timings.loaderHardTimeoutMs, error);
  }

  /** A fresh L2 value written by another pod: the lock holder's, or the previous holder's just before we took it. */
  private async filledMeanwhile(key: string, attempt: LockAttempt, newerThan: number): Promise<CacheEntry | undefined> {
    switch (attempt.kind) {
      case 'held-elsewhere': {
        const entry = await this.l2Tier.waitForFresh(key, this.timings.lockWaitMs, newerThan);
        if (entry) this.stats.lockWaitHits++;
        return entry;
      }
      case 'acquired':
        return this.l2Tier.readFresh(key, newerThan);
      case 'unavailable':
        return undefined;
      default: {
        const unknown: never = attempt;
        throw new Error(`unknown lock attempt ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Loaded values to L2 where no write moved their keys on meanwhile (see {@link L2Tier.fill}); counts the refused ones. */
  async fillL2(entries: ReadonlyArray<{ key: string; entry: CacheEntry; generation: string }>): Promise<void> {
    this.stats.overtakenFills += await this.l2Tier.fill(entries);
  }

  /** A fresh L2 entry answers the request: counted, and copied into L1 unless a write came after `since` (it may be older). */
  adoptFromL2(key: string, entry: CacheEntry, options: ResolvedCacheOptions, since: number): CacheResult {
    if (!this.generations.overtaken(key, since)) this.l1.set(key, this.entries.l1Copy(key, entry, options));
    this.countHit(entry, 'L2');
    return { entry, tier: 'L2' };
  }

  private countHit(entry: CacheEntry, tier: 'L1' | 'L2'): void {
    if (tier === 'L1') this.stats.l1Hits++;
    else this.stats.l2Hits++;
    if (entry.negative) this.stats.negativeHits++;
  }
}
