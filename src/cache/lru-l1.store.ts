import { LRUCache } from 'lru-cache';
import type { CacheEntry, L1Store } from './cache.types';

/** Bytes charged per entry on top of its body and key, for the entry object, its ETag and the LRU's slots. */
const ENTRY_OVERHEAD_BYTES = 64;

/** Options of {@link LruL1Store}. No defaults except the clock: the bounds come from validated config. */
export interface LruL1StoreOptions {
  /** Most entries held; past it the least recently used entry is evicted. */
  readonly maxEntries: number;
  /**
   * Most bytes held, each entry counted as `body.length + key.length + 64`;
   * past it least recently used entries are evicted until the new one fits.
   * An entry larger than this on its own is not stored.
   */
  readonly maxBytes: number;
  /** Clock in epoch milliseconds, injectable for tests. @default Date.now */
  readonly now?: () => number;
}

/**
 * The in-process tier on `lru-cache`, bounded by entry count and by bytes.
 * An entry is held until its `staleUntil`: expiry is checked when it is read
 * (the lru-cache TTL machinery is not used), and an entry found expired is
 * deleted then. Expired entries nobody reads are evicted as least recently used.
 *
 * To keep a hot key longer, `set` the same key again with a later
 * `staleUntil` (`{ ...entry, staleUntil }`); there is no separate method.
 *
 * @example
 * const l1 = new LruL1Store({ maxEntries: 50_000, maxBytes: 256 * 1024 * 1024 });
 */
export class LruL1Store implements L1Store {
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly now: () => number;

  constructor({ maxEntries, maxBytes, now = Date.now }: LruL1StoreOptions) {
    this.now = now;
    // No `ttl`: lru-cache would then keep per-entry timestamp arrays, read its own clock and
    // arm a timer to debounce it; one comparison against `staleUntil` on read is cheaper.
    // `maxEntrySize` defaults to `maxSize`, which is what keeps an oversize entry out.
    this.lru = new LRUCache<string, CacheEntry>({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (entry, key) => entry.body.length + key.length + ENTRY_OVERHEAD_BYTES,
    });
  }

  /** The entry, fresh or stale, or undefined when absent or past its `staleUntil`. O(1), allocates nothing. */
  get(key: string): CacheEntry | undefined {
    const entry = this.lru.get(key);
    if (entry === undefined || this.now() < entry.staleUntil) return entry;
    this.lru.delete(key);
    return undefined;
  }

  /**
   * Stores the entry as the most recently used one, replacing any entry of
   * that key. An entry already past its `staleUntil`, or larger than
   * `maxBytes`, is not stored and the key's previous entry is dropped.
   */
  set(key: string, entry: CacheEntry): void {
    if (entry.staleUntil <= this.now()) {
      // The new value supersedes the old one even when it cannot be kept itself.
      this.lru.delete(key);
      return;
    }
    this.lru.set(key, entry);
  }

  delete(key: string): void {
    this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
  }

  /** Entries held, expired ones not yet read included. */
  get size(): number {
    return this.lru.size;
  }

  /** Bytes held, as counted against `maxBytes`. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
