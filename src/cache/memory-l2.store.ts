import type { CacheEntry, L2Fill, L2Store } from './cache.types';

/**
 * An in-memory {@link L2Store} for unit tests of the cache logic: same
 * contract as `RedisL2Store`, with a switch to make every call fail as an
 * unreachable Redis would, and counters of the calls made.
 */
export class MemoryL2Store implements L2Store {
  private readonly entries = new Map<string, { entry: CacheEntry; expiresAt: number }>();
  private readonly generationOf = new Map<string, number>();
  /** When true every call rejects, like an L2 whose breaker is open. */
  down = false;
  readonly calls = { get: 0, getMany: 0, set: 0, setMany: 0, delete: 0, generations: 0, fill: 0, clear: 0 };

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string): Promise<CacheEntry | undefined> {
    this.calls.get++;
    this.failIfDown();
    return this.read(key);
  }

  async getMany(keys: readonly string[]): Promise<Array<CacheEntry | undefined>> {
    this.calls.getMany++;
    this.failIfDown();
    return keys.map((key) => this.read(key));
  }

  async set(key: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    this.calls.set++;
    this.failIfDown();
    this.bump(key);
    this.entries.set(key, { entry, expiresAt: this.now() + ttlMs });
  }

  async setMany(entries: ReadonlyArray<{ key: string; entry: CacheEntry; ttlMs: number }>): Promise<void> {
    this.calls.setMany++;
    this.failIfDown();
    for (const { key, entry, ttlMs } of entries) {
      this.bump(key);
      this.entries.set(key, { entry, expiresAt: this.now() + ttlMs });
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.calls.delete++;
    this.failIfDown();
    for (const key of keys) {
      this.bump(key);
      this.entries.delete(key);
    }
  }

  async generations(keys: readonly string[]): Promise<string[]> {
    this.calls.generations++;
    this.failIfDown();
    return keys.map((key) => String(this.generationOf.get(key) ?? ''));
  }

  async fill(entries: readonly L2Fill[]): Promise<number> {
    this.calls.fill++;
    this.failIfDown();
    let stored = 0;
    for (const { key, entry, ttlMs, generation } of entries) {
      if (String(this.generationOf.get(key) ?? '') !== generation) continue;
      this.entries.set(key, { entry, expiresAt: this.now() + ttlMs });
      stored++;
    }
    return stored;
  }

  async clear(): Promise<void> {
    this.calls.clear++;
    this.failIfDown();
    this.entries.clear();
  }

  state(): 'closed' | 'open' {
    return this.down ? 'open' : 'closed';
  }

  /** The stored entry, bypassing `down` and the counters (for assertions). */
  peek(key: string): CacheEntry | undefined {
    return this.read(key);
  }

  private read(key: string): CacheEntry | undefined {
    const stored = this.entries.get(key);
    if (!stored) return undefined;
    if (this.now() >= stored.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return stored.entry;
  }

  private bump(key: string): void {
    this.generationOf.set(key, (this.generationOf.get(key) ?? 0) + 1);
  }

  private failIfDown(): void {
    if (this.down) throw new Error('L2 unavailable (MemoryL2Store.down)');
  }
}
