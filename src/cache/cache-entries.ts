import { createEntry } from './cache-entry.codec';
import { jittered, type ResolvedCacheOptions } from './cache.options';
import { Absent, type CacheEntry } from './cache.types';
import type { HotKeyTracker } from './hot-keys.tracker';

/**
 * How the read path makes its entries: a loaded value serialized once, with
 * jittered TTLs (negative when absent), and L1's copy of an entry, which
 * stops answering sooner (hot keys later).
 */
export class CacheEntries {
  constructor(
    private readonly hotKeys: Pick<HotKeyTracker, 'isHot'>,
    private readonly timings: { readonly jitter: number; readonly hotL1TtlMs: number },
    private readonly now: () => number,
  ) {}

  /** The entry of a loaded value: serialized once, TTLs jittered, negative when absent. */
  of(value: unknown, options: ResolvedCacheOptions): CacheEntry {
    const now = this.now();
    const negative = value === null || value === undefined || value instanceof Absent;
    const ttlMs = jittered(negative ? options.negativeTtlMs : options.ttlMs, this.timings.jitter);
    const freshUntil = now + ttlMs;
    const staleUntil = negative ? freshUntil : freshUntil + options.maxStaleMs;
    const body = Buffer.from(JSON.stringify(value instanceof Absent ? { detail: value.detail } : (value ?? null)));
    const etag = !negative && options.etagOf ? options.etagOf(value) : undefined;
    return createEntry(body, freshUntil, staleUntil, negative, options.tags, etag);
  }

  /**
   * L1's copy of an entry: L1 stops answering it sooner (other pods may change
   * the value), hot keys later. The value's own freshness stays as it is, for
   * `Cache-Control` and for stale-while-revalidate.
   */
  l1Copy(key: string, entry: CacheEntry, options: ResolvedCacheOptions): CacheEntry {
    const l1TtlMs = this.hotKeys.isHot(key) ? Math.max(options.l1TtlMs, this.timings.hotL1TtlMs) : options.l1TtlMs;
    const l1FreshUntil = this.now() + jittered(l1TtlMs, this.timings.jitter);
    return l1FreshUntil >= entry.freshUntil ? entry : { ...entry, l1FreshUntil };
  }
}
