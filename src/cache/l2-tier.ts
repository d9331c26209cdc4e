import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CacheEntry, L2Store } from './cache.types';
import { PendingInvalidations } from './pending-invalidations';
import type { TagIndex } from './tag.index';

type Keyed = { readonly key: string; readonly entry: CacheEntry };

/** How often a pod that lost the load's lock looks in L2 for the winner's value. */
const LOCK_POLL_MS = 20;
/** A failed write or delete is replayed after this long (doubling to {@link REPLAY_RETRY_CAP_MS}), not only when the breaker closes again. */
const REPLAY_RETRY_MS = 250;
const REPLAY_RETRY_CAP_MS = 5_000;

/**
 * L2 as the read path uses it, so that a Redis failure never becomes an error of a read:
 * - reads that fail are misses (the store's breaker makes them cost nothing while Redis is down);
 * - writes and deletes that fail are remembered ({@link PendingInvalidations}): until they are
 *   replayed (see {@link replayPending}, soon after the failure and again when the breaker
 *   closes), reads skip L2 for those keys, which may hold an outdated value; the bus tells the
 *   other pods to skip them too ({@link markStale});
 * - every entry is stored until its stale horizon, and its tags are indexed.
 */
export class L2Tier {
  private readonly logger = new Logger('Cache');
  private readonly pending = new PendingInvalidations();
  private replayTimer?: NodeJS.Timeout;
  private replayRetries = 0;

  constructor(
    readonly store: L2Store,
    private readonly tagIndex: Pick<TagIndex, 'add'> | undefined,
    private readonly now: () => number,
    /** Told how many keys each replay deleted. */
    private readonly onReplayed: (keys: number) => void = () => undefined,
  ) {}

  /** True when Redis answers normally (the breaker is closed). */
  get up(): boolean {
    return this.store.state() === 'closed';
  }

  /** True while L2 may hold an outdated value for `key`; such keys are not read from it. */
  mustSkip(key: string): boolean {
    return this.pending.covers(key);
  }

  /** The entry of `key`, or undefined when L2 has none, must be skipped for it, or fails. */
  async read(key: string): Promise<CacheEntry | undefined> {
    if (this.mustSkip(key)) return undefined;
    try {
      return await this.store.get(key);
    } catch {
      return undefined;
    }
  }

  /**
   * The entry of `key` if L2 holds it fresh (another pod just loaded it), else
   * undefined; with `newerThan`, only an entry fresh past it (a refresh ahead
   * of expiry wants a newer entry than the one it refreshes).
   */
  async readFresh(key: string, newerThan = 0): Promise<CacheEntry | undefined> {
    const entry = await this.read(key);
    return entry && this.now() < entry.freshUntil && entry.freshUntil > newerThan ? entry : undefined;
  }

  /** Another pod holds the load's lock: polls L2 every {@link LOCK_POLL_MS} for up to `waitMs` for its value (see {@link readFresh}). */
  async waitForFresh(key: string, waitMs: number, newerThan = 0): Promise<CacheEntry | undefined> {
    const deadline = this.now() + waitMs;
    while (this.now() < deadline) {
      await sleep(LOCK_POLL_MS);
      const entry = await this.readFresh(key, newerThan);
      if (entry) return entry;
    }
    return undefined;
  }

  /** {@link read} for many keys in one MGET, aligned with `keys`. */
  async readMany(keys: readonly string[]): Promise<Array<CacheEntry | undefined>> {
    const readable = keys.filter((key) => !this.mustSkip(key));
    if (readable.length === 0) return keys.map(() => undefined);
    try {
      const entries = await this.store.getMany(readable);
      const byKey = new Map(readable.map((key, i) => [key, entries[i]]));
      return keys.map((key) => byKey.get(key));
    } catch {
      return keys.map(() => undefined);
    }
  }

  /** The generations of `keys` (one MGET), or undefined when Redis cannot say (the load then fills no L2). */
  async generations(keys: readonly string[]): Promise<string[] | undefined> {
    if (!this.up) return undefined;
    try {
      return await this.store.generations(keys);
    } catch {
      return undefined;
    }
  }

  /** Stores `entries` (moving the keys' generations on); false when that failed (L2 may still hold the old values: they are skipped, then deleted). */
  async write(entries: readonly Keyed[]): Promise<boolean> {
    const writes = this.withTtl(entries);
    try {
      await this.store.setMany(writes);
    } catch {
      this.invalidateLater(entries.map(({ key }) => key));
      return false;
    }
    await this.tagIndex?.add(writes);
    return true;
  }

  /** Deletes `keys`; false when that failed (they are skipped, then deleted once L2 answers). */
  async delete(keys: readonly string[]): Promise<boolean> {
    try {
      await this.store.delete(keys);
      return true;
    } catch {
      this.invalidateLater(keys);
      return false;
    }
  }

  /** Another pod's write of `keys` failed in L2, which may hold outdated values of them: skipped here too until deleted. */
  markStale(keys: readonly string[]): void {
    this.invalidateLater(keys);
  }

  /**
   * Loaded values, each stored only where its key is still at the generation read before the
   * load. Returns how many were refused for a newer generation; a failure only costs the next
   * reader a load (0).
   */
  async fill(entries: ReadonlyArray<Keyed & { readonly generation: string }>): Promise<number> {
    if (entries.length === 0) return 0;
    const fills = this.withTtl(entries);
    let stored: number;
    try {
      stored = await this.store.fill(fills);
    } catch {
      return 0;
    }
    await this.tagIndex?.add(fills);
    return fills.length - stored;
  }

  /** Re-sends the writes and deletes that failed (or clears L2 after too many); returns how many keys, or 0 while L2 is still down. */
  async replayPending(): Promise<number> {
    let replayed = 0;
    try {
      replayed = await this.pending.replay(this.store);
    } catch {
      // still down: kept for the next try
    }
    if (replayed > 0) this.onReplayed(replayed);
    return replayed;
  }

  private invalidateLater(keys: readonly string[]): void {
    if (this.pending.add(keys)) this.logger.warn('too many L2 invalidations pending: L2 is skipped, and cleared when it is back');
    this.scheduleReplay();
  }

  /**
   * A single failed call (a timeout under load) does not open the breaker, so waiting for it to close
   * again would leave the outdated value in L2, read by every other pod, until it expires: the replay
   * is tried soon, then at growing intervals while it fails.
   */
  private scheduleReplay(): void {
    if (this.replayTimer) return;
    const delay = Math.min(REPLAY_RETRY_CAP_MS, REPLAY_RETRY_MS * 2 ** this.replayRetries);
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      void this.replayPending().then(() => {
        if (this.pending.isEmpty) this.replayRetries = 0;
        else {
          this.replayRetries = Math.min(this.replayRetries + 1, 10);
          this.scheduleReplay();
        }
      });
    }, delay);
    this.replayTimer.unref();
  }

  /** L2 keeps an entry until its stale horizon. */
  private withTtl<E extends Keyed>(entries: readonly E[]): Array<E & { tags: readonly string[]; ttlMs: number }> {
    const now = this.now();
    return entries.map((write) => ({ ...write, tags: write.entry.tags, ttlMs: Math.max(1, write.entry.staleUntil - now) }));
  }
}
