/**
 * This process's half of read-your-writes: which keys were written (or
 * invalidated) while loads were in flight. A load notes {@link begin}'s
 * number before it reads anything; when it is done it may fill L1 only if
 * {@link overtaken} says no write of its key came after that number. A load
 * that read the old value just before a write therefore cannot put it back
 * over the write.
 *
 * Writes are remembered only while some load is in flight (a load that
 * begins after a write is not overtaken by it), and never longer than
 * `horizonMs`: loads are bounded by the loader's hard timeout, and one older
 * than the horizon counts as overtaken. Memory is bounded by the writes made
 * during loads.
 */
export class KeyGenerations {
  private seq = 0;
  /** The number at the last {@link overtakeAll}: every load begun before it is overtaken. */
  private clearedAt = 0;
  /** Highest number forgotten by the horizon: a load begun before it cannot be vouched for. */
  private forgottenUpTo = 0;
  private active = 0;
  /** key → the number and time of its last write, oldest first. */
  private readonly written = new Map<string, { readonly seq: number; readonly at: number }>();

  constructor(
    private readonly horizonMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a load; pass the number to {@link overtaken} and call {@link end} when the load is done. */
  begin(): number {
    this.active++;
    return this.seq;
  }

  /** Runs `load` between {@link begin} and {@link end}, handing it the number to check with {@link overtaken}. */
  async during<T>(load: (since: number) => Promise<T>): Promise<T> {
    const since = this.begin();
    try {
      return await load(since);
    } finally {
      this.end();
    }
  }

  /** Ends a load begun with {@link begin}. */
  end(): void {
    this.active--;
    if (this.active === 0) this.written.clear();
  }

  /** Records a write (or an invalidation from another pod) of `keys`. */
  overtake(keys: readonly string[]): void {
    this.seq++;
    if (this.active === 0) return;
    this.forgetOld();
    const at = this.now();
    for (const key of keys) {
      // Re-inserted, so the map stays ordered by time.
      this.written.delete(key);
      this.written.set(key, { seq: this.seq, at });
    }
  }

  /** Records that every key may have changed (L1 cleared after a bus gap). */
  overtakeAll(): void {
    this.clearedAt = ++this.seq;
    this.written.clear();
  }

  /** True when `key` was written after the load that began at `since`: its value must not fill a tier. */
  overtaken(key: string, since: number): boolean {
    if (this.clearedAt > since || this.forgottenUpTo > since) return true;
    return (this.written.get(key)?.seq ?? 0) > since;
  }

  /** Keys remembered now (for tests and stats). */
  get size(): number {
    return this.written.size;
  }

  private forgetOld(): void {
    const cutoff = this.now() - this.horizonMs;
    for (const [key, write] of this.written) {
      if (write.at >= cutoff) break;
      this.written.delete(key);
      this.forgottenUpTo = write.seq;
    }
  }
}
