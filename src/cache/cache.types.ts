/**
 * One cached value as every tier holds it: the response bytes, serialized
 * once when the value was loaded, plus the times that decide how it may be
 * served. Times are epoch milliseconds.
 */
export interface CacheEntry {
  /** The value's JSON, UTF-8 encoded. An L1 hit writes these bytes to the socket as they are. */
  readonly body: Buffer;
  /** Strong ETag derived from `body` (quoted). */
  readonly etag: string;
  /** Until then the entry is fresh: served without asking anyone. */
  readonly freshUntil: number;
  /** Until then an expired entry may be served stale (revalidation, or fail-safe when the loader fails). */
  readonly staleUntil: number;
  /** True when the loader found nothing: a cached "not found" (negative caching). */
  readonly negative: boolean;
  /** Tags for `deleteByTag`. */
  readonly tags: readonly string[];
  /** In L1 only: until then L1 answers the entry by itself (at most `freshUntil`). */
  readonly l1FreshUntil?: number;
}

/** The tier that answered, as the `x-cache` header reports it. */
export type CacheTier = 'L1' | 'L2' | 'MISS' | 'STALE';

/** An entry and the tier that answered. */
export interface CacheResult {
  readonly entry: CacheEntry;
  readonly tier: CacheTier;
}

/**
 * "Does not exist", with a sentence for the client. A loader may return it
 * (or `null`/`undefined`) to have the absence cached for `negativeTtlMs`;
 * the sentence is stored in the negative entry's body.
 */
export class Absent {
  constructor(readonly detail: string) {}
}

/** Loads one value; `null`, `undefined` or an {@link Absent} means "does not exist" (cached negatively). */
export type Loader<T> = () => Promise<T | Absent | null | undefined>;

/**
 * The in-process tier: an LRU bounded by entry count and by bytes, holding
 * entries until their `staleUntil`.
 */
export interface L1Store {
  /** The entry, fresh or stale, or undefined. Synchronous: an L1 hit awaits nothing. */
  get(key: string): CacheEntry | undefined;
  set(key: string, entry: CacheEntry): void;
  delete(key: string): void;
  /** Drops every entry (e.g. after missing invalidations while the bus was down). */
  clear(): void;
  readonly size: number;
  readonly bytes: number;
}

/** A loaded value to store in L2, with the generation its key had before the load (see {@link L2Store.fill}). */
export interface L2Fill {
  readonly key: string;
  readonly entry: CacheEntry;
  readonly ttlMs: number;
  readonly generation: string;
}

/**
 * The shared tier (Redis). Every method fails fast with an error when Redis
 * is unavailable; the caller treats that as a miss.
 *
 * Read-your-writes across pods: every key has a generation that each write
 * (`set`, `setMany`, `delete`) moves on before it changes the value. A load
 * reads the generations of its keys first ({@link generations}) and stores
 * what it loaded with {@link fill}, which skips every key whose generation
 * moved meanwhile: a load that read the old value cannot overwrite a write
 * made on any pod while it ran.
 */
export interface L2Store {
  get(key: string): Promise<CacheEntry | undefined>;
  /** One round trip (MGET) for all keys; the result is aligned with `keys`. */
  getMany(keys: readonly string[]): Promise<Array<CacheEntry | undefined>>;
  /** A write: moves the key's generation on, then stores with a TTL of `ttlMs` (the entry's stale horizon). */
  set(key: string, entry: CacheEntry, ttlMs: number): Promise<void>;
  /** {@link set} for many entries, in one round trip. */
  setMany(entries: ReadonlyArray<{ key: string; entry: CacheEntry; ttlMs: number }>): Promise<void>;
  /** A write: moves the keys' generations on, then deletes them. */
  delete(keys: readonly string[]): Promise<void>;
  /** The current generation of each key (`''` for none), aligned with `keys`: read before a load. */
  generations(keys: readonly string[]): Promise<string[]>;
  /** Stores loaded values, each only if its key's generation is still `generation`. One round trip; returns how many were stored. */
  fill(entries: readonly L2Fill[]): Promise<number>;
  /** Deletes every key of this cache's namespace, and nothing else. */
  clear(): Promise<void>;
  /** State of the tier's circuit breaker: `open` means calls fail at once without touching Redis. */
  state(): 'closed' | 'open' | 'half-open';
}
