/**
 * Counters over the last `windowMs`, kept in 10 buckets: a count falls out
 * of the window one bucket (windowMs / 10) at a time. O(1) memory whatever
 * the traffic; `add` and `sum` are a few array operations.
 *
 * @example
 * const w = new SlidingWindow(['calls', 'failures'] as const, 10_000);
 * w.add('calls'); w.sum('calls'); // 1 for the next ~10 s
 */
export class SlidingWindow<K extends string> {
  private static readonly BUCKETS = 10;
  private readonly bucketMs: number;
  private readonly epochs: number[];
  private readonly counts: Array<Record<K, number>>;

  constructor(
    private readonly keys: readonly K[],
    windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / SlidingWindow.BUCKETS));
    this.epochs = new Array<number>(SlidingWindow.BUCKETS).fill(-1);
    this.counts = Array.from({ length: SlidingWindow.BUCKETS }, () => this.zero());
  }

  /** Adds `n` to counter `key` in the current bucket. */
  add(key: K, n = 1): void {
    const epoch = Math.floor(this.now() / this.bucketMs);
    const slot = epoch % SlidingWindow.BUCKETS;
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch;
      this.counts[slot] = this.zero();
    }
    this.counts[slot][key] += n;
  }

  /** The total of `key` over the window. */
  sum(key: K): number {
    const current = Math.floor(this.now() / this.bucketMs);
    let total = 0;
    for (let slot = 0; slot < SlidingWindow.BUCKETS; slot++) {
      if (current - this.epochs[slot] < SlidingWindow.BUCKETS) total += this.counts[slot][key];
    }
    return total;
  }

  /** Forgets everything. */
  reset(): void {
    this.epochs.fill(-1);
  }

  private zero(): Record<K, number> {
    return Object.fromEntries(this.keys.map((key) => [key, 0])) as Record<K, number>;
  }
}
