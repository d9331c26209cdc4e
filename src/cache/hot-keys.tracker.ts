/** Options of {@link HotKeyTracker}; each has a default. */
export interface HotKeyTrackerOptions {
  /** Length of the sliding window. @default 10_000 */
  readonly windowMs?: number;
  /** Buckets the window is cut into; it slides one bucket (`windowMs / buckets`) at a time. @default 5 */
  readonly buckets?: number;
  /** About one lookup in `sampleRate` is counted; estimates are sampled counts × `sampleRate`. 1 counts all. @default 8 */
  readonly sampleRate?: number;
  /** Most distinct keys counted per bucket. @default 10_000 */
  readonly maxTrackedKeys?: number;
  /** Size of the hot set. @default 100 */
  readonly hotKeyCount?: number;
  /** Estimated hits in the window a key needs to be hot. @default 100 */
  readonly minHitsPerWindow?: number;
  /** Clock in epoch milliseconds, injectable for tests. @default Date.now */
  readonly now?: () => number;
}

/** A key and its estimated hits in the window, as {@link HotKeyTracker.top} lists them. */
export interface HotKey {
  readonly key: string;
  readonly estimatedHits: number;
}

type Counts = Map<string, number>;

/**
 * Finds the most requested cache keys over a sliding window, so hot keys can
 * be kept longer in L1 and listed to operators. No timers: buckets rotate
 * when a call sees the clock past the current bucket's end.
 *
 * - **Sampling**: `record` counts one call in `sampleRate` on average. The gap
 *   to the next counted call is drawn uniformly from 1..2×sampleRate−1, so
 *   periodic traffic (round-robin over `sampleRate` keys) cannot alias with it.
 * - **Window**: the `buckets` whole buckets before the current one; a hit counts
 *   for between `windowMs` and `windowMs + windowMs / buckets`, and `isHot` /
 *   `top` lag the traffic by up to one bucket.
 * - **Memory**: a bucket counts at most `maxTrackedKeys` distinct keys; a key
 *   first sampled when its bucket is full is dropped for that bucket (O(1),
 *   unlike replacing the minimum). Its window count is then low by its hits in
 *   the rest of that bucket: a key that turns hot mid-bucket is seen from the
 *   next one. A key with share f of lookups misses a filling bucket with
 *   probability about e^(−f × maxTrackedKeys), nil for any key that can be hot.
 *   In all, at most (2 × buckets + 1) × maxTrackedKeys map entries.
 *
 * @example
 * const tracker = new HotKeyTracker({ hotKeyCount: 50 });
 * tracker.record(key); // on every lookup
 * const staleUntil = tracker.isHot(key) ? now + hotStaleMs : now + staleMs;
 */
export class HotKeyTracker {
  private readonly bucketMs: number;
  private readonly sampleRate: number;
  private readonly maxTrackedKeys: number;
  private readonly hotKeyCount: number;
  private readonly minHitsPerWindow: number;
  private readonly now: () => number;
  /** `buckets + 1` bucket counts: the one at `current` is filling, the others are the window. */
  private readonly ring: Counts[];
  private current = 0;
  /** Sampled hits per key summed over the window, kept as buckets rotate. */
  private readonly totals: Counts = new Map();
  private hot: ReadonlySet<string> = new Set();
  private bucketEnd: number;
  private countdown: number;

  constructor({
    windowMs = 10_000,
    buckets = 5,
    sampleRate = 8,
    maxTrackedKeys = 10_000,
    hotKeyCount = 100,
    minHitsPerWindow = 100,
    now = Date.now,
  }: HotKeyTrackerOptions = {}) {
    for (const [name, value] of Object.entries({ windowMs, buckets, sampleRate, maxTrackedKeys })) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`HotKeyTracker option "${name}" must be a positive integer, got ${value}`);
      }
    }
    this.bucketMs = windowMs / buckets;
    this.sampleRate = sampleRate;
    this.maxTrackedKeys = maxTrackedKeys;
    this.hotKeyCount = hotKeyCount;
    this.minHitsPerWindow = minHitsPerWindow;
    this.now = now;
    this.ring = Array.from({ length: buckets + 1 }, (): Counts => new Map());
    this.bucketEnd = (Math.floor(now() / this.bucketMs) + 1) * this.bucketMs;
    this.countdown = this.nextGap();
  }

  /** Counts one lookup of `key`, if it is sampled. Call it on every cache lookup. */
  record(key: string): void {
    // Unsampled calls stop here: one decrement, no clock read, no map access.
    if (--this.countdown > 0) return;
    this.countdown = this.nextGap();
    this.rotateIfDue();
    const bucket = this.ring[this.current];
    const count = bucket.get(key);
    if (count !== undefined) bucket.set(key, count + 1);
    else if (bucket.size < this.maxTrackedKeys) bucket.set(key, 1);
  }

  /** True when `key` is among the top `hotKeyCount` keys of the window with at least `minHitsPerWindow` estimated hits. O(1). */
  isHot(key: string): boolean {
    this.rotateIfDue();
    return this.hot.has(key);
  }

  /** The `limit` most requested keys of the window, most hits first. For operators: O(keys × log limit). */
  top(limit = this.hotKeyCount): HotKey[] {
    this.rotateIfDue();
    return topCounts(this.totals, limit, 1).map(([key, count]) => ({ key, estimatedHits: count * this.sampleRate }));
  }

  /** Distinct keys counted in the current bucket; never more than `maxTrackedKeys`. */
  get trackedKeys(): number {
    return this.ring[this.current].size;
  }

  private nextGap(): number {
    return 1 + Math.floor(Math.random() * (2 * this.sampleRate - 1));
  }

  private rotateIfDue(): void {
    const now = this.now();
    if (now < this.bucketEnd) return;
    const elapsed = Math.floor((now - this.bucketEnd) / this.bucketMs) + 1;
    // Past `ring.length` rotations every bucket is empty; more would only spin.
    for (let i = Math.min(elapsed, this.ring.length); i > 0; i--) this.rotate();
    this.bucketEnd += elapsed * this.bucketMs;
    // The hot set changes only here, so `isHot` stays a set lookup.
    const hot = topCounts(this.totals, this.hotKeyCount, this.minHitsPerWindow / this.sampleRate);
    this.hot = new Set(hot.map(([key]) => key));
  }

  /** Moves the filling bucket into the window and reuses the oldest one as the new filling bucket. */
  private rotate(): void {
    const totals = this.totals;
    this.ring[this.current].forEach((count, key) => totals.set(key, (totals.get(key) ?? 0) + count));
    this.current = (this.current + 1) % this.ring.length;
    const oldest = this.ring[this.current];
    oldest.forEach((count, key) => {
      const left = totals.get(key)! - count;
      if (left > 0) totals.set(key, left);
      else totals.delete(key);
    });
    oldest.clear();
  }
}

type Ranked = [key: string, count: number];

/** The `limit` largest counts that are at least `minCount`, largest first, ties by key. O(n log limit) with a heap. */
function topCounts(counts: Counts, limit: number, minCount: number): Ranked[] {
  // A min-heap on rank: its root is the lowest-ranked entry kept, the one a better entry replaces.
  const heap: Ranked[] = [];
  if (limit < 1) return heap;
  counts.forEach((count, key) => {
    if (count < minCount) return;
    if (heap.length < limit) {
      heap.push([key, count]);
      siftUp(heap, heap.length - 1);
    } else if (ranksBelow(heap[0], key, count)) {
      heap[0] = [key, count];
      siftDown(heap, 0);
    }
  });
  return heap.sort((a, b) => (ranksBelow(a, b[0], b[1]) ? 1 : -1));
}

/** True when `entry` ranks below (`key`, `count`): fewer hits, or as many and a later key. */
function ranksBelow([entryKey, entryCount]: Ranked, key: string, count: number): boolean {
  return entryCount < count || (entryCount === count && entryKey > key);
}

function siftUp(heap: Ranked[], i: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!ranksBelow(heap[i], ...heap[parent])) return;
    [heap[parent], heap[i]] = [heap[i], heap[parent]];
    i = parent;
  }
}

function siftDown(heap: Ranked[], i: number): void {
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let lowest = i;
    if (left < heap.length && ranksBelow(heap[left], ...heap[lowest])) lowest = left;
    if (right < heap.length && ranksBelow(heap[right], ...heap[lowest])) lowest = right;
    if (lowest === i) return;
    [heap[lowest], heap[i]] = [heap[i], heap[lowest]];
    i = lowest;
  }
}
