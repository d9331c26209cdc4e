import { HotKeyTracker, type HotKeyTrackerOptions } from './hot-keys.tracker';

const BUCKET_MS = 2000;
const START = 1_000_000;

/** A seeded PRNG (mulberry32), so sampled runs are the same every time. */
function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('HotKeyTracker', () => {
  let clock: number;

  /** Window of 10 s in 5 buckets of 2 s; counts every lookup unless told otherwise. */
  const tracker = (options: HotKeyTrackerOptions = {}): HotKeyTracker =>
    new HotKeyTracker({ windowMs: 10_000, buckets: 5, sampleRate: 1, now: () => clock, ...options });

  const recordTimes = (t: HotKeyTracker, key: string, times: number): void => {
    for (let i = 0; i < times; i++) t.record(key);
  };

  beforeEach(() => {
    clock = START;
    jest.spyOn(Math, 'random').mockImplementation(seededRandom(42));
  });

  afterEach(() => jest.restoreAllMocks());

  it('marks a key hit far more than the others hot, and the others not', () => {
    const t = tracker({ hotKeyCount: 3, minHitsPerWindow: 100 });
    recordTimes(t, 'hot', 1000);
    recordTimes(t, 'warm', 99);
    for (let i = 0; i < 50; i++) recordTimes(t, `cold-${i}`, 5);

    clock += BUCKET_MS;

    expect(t.isHot('hot')).toBe(true);
    expect(t.isHot('warm')).toBe(false);
    expect(t.isHot('cold-1')).toBe(false);
    expect(t.isHot('never-seen')).toBe(false);
  });

  it('keeps only the top hotKeyCount keys in the hot set', () => {
    const t = tracker({ hotKeyCount: 2, minHitsPerWindow: 1 });
    recordTimes(t, 'a', 300);
    recordTimes(t, 'b', 200);
    recordTimes(t, 'c', 100);

    clock += BUCKET_MS;

    expect(['a', 'b', 'c'].map((key) => t.isHot(key))).toEqual([true, true, false]);
  });

  it('recomputes the hot set only when a bucket ends', () => {
    const t = tracker({ minHitsPerWindow: 10 });
    recordTimes(t, 'a', 100);
    expect(t.isHot('a')).toBe(false);

    clock += BUCKET_MS - 1;
    expect(t.isHot('a')).toBe(false);

    clock += 1;
    expect(t.isHot('a')).toBe(true);
  });

  it('slides the window: hits older than the window stop counting', () => {
    const t = tracker({ minHitsPerWindow: 100 });
    recordTimes(t, 'old', 300);
    clock += 3 * BUCKET_MS;
    recordTimes(t, 'new', 200);

    clock = START + 10_000;
    expect(t.top()).toEqual([
      { key: 'old', estimatedHits: 300 },
      { key: 'new', estimatedHits: 200 },
    ]);
    expect(t.isHot('old')).toBe(true);

    clock = START + 10_000 + BUCKET_MS;
    expect(t.top()).toEqual([{ key: 'new', estimatedHits: 200 }]);
    expect(t.isHot('old')).toBe(false);
    expect(t.isHot('new')).toBe(true);

    clock += 60_000;
    expect(t.top()).toEqual([]);
    expect(t.isHot('new')).toBe(false);
  });

  it('holds at most maxTrackedKeys keys per bucket under 100k distinct keys', () => {
    const t = tracker({ maxTrackedKeys: 1000 });
    for (let bucket = 0; bucket < 5; bucket++) {
      t.record('early');
      for (let i = 0; i < 20_000; i++) t.record(`key-${bucket}-${i}`);
      expect(t.trackedKeys).toBe(1000);
      // The bucket is full: a key already in it keeps counting, a new one is dropped for this bucket.
      t.record('early');
      t.record('late');
      expect(t.trackedKeys).toBe(1000);
      clock += BUCKET_MS;
    }

    expect(t.top(Infinity).length).toBeLessThanOrEqual(5 * 1000);
    expect(t.top(1)).toEqual([{ key: 'early', estimatedHits: 10 }]);
    expect(t.top(Infinity).some(({ key }) => key === 'late')).toBe(false);
  });

  it('estimates hits from samples within 10%', () => {
    const t = tracker({ sampleRate: 8 });
    const hits: Record<string, number> = { a: 40_000, b: 10_000, c: 4_000 };
    const random = seededRandom(7);
    const pool = Object.entries(hits).flatMap(([key, n]) => Array<string>(n).fill(key));
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    for (const key of pool) t.record(key);

    clock += BUCKET_MS;

    const estimates = t.top();
    expect(estimates.map(({ key }) => key)).toEqual(['a', 'b', 'c']);
    for (const { key, estimatedHits } of estimates) {
      expect(Math.abs(estimatedHits - hits[key]) / hits[key]).toBeLessThan(0.1);
    }
  });

  it('does not alias with round-robin traffic over sampleRate keys', () => {
    const t = tracker({ sampleRate: 8 });
    for (let round = 0; round < 8000; round++) {
      for (let k = 0; k < 8; k++) t.record(`k${k}`);
    }

    clock += BUCKET_MS;

    const estimates = t.top();
    expect(estimates).toHaveLength(8);
    for (const { estimatedHits } of estimates) {
      expect(Math.abs(estimatedHits - 8000) / 8000).toBeLessThan(0.15);
    }
  });

  it('lists the top keys by estimated hits, most first, ties by key, up to limit', () => {
    const t = tracker({ hotKeyCount: 3 });
    recordTimes(t, 'c', 5);
    recordTimes(t, 'a', 20);
    recordTimes(t, 'd', 1);
    recordTimes(t, 'b', 5);
    recordTimes(t, 'e', 50);

    clock += BUCKET_MS;

    expect(t.top()).toEqual([
      { key: 'e', estimatedHits: 50 },
      { key: 'a', estimatedHits: 20 },
      { key: 'b', estimatedHits: 5 },
    ]);
    expect(t.top(10).map(({ key }) => key)).toEqual(['e', 'a', 'b', 'c', 'd']);
    expect(t.top(0)).toEqual([]);
  });

  it('refuses options that are not positive integers, naming the option', () => {
    expect(() => tracker({ buckets: 0 })).toThrow('"buckets" must be a positive integer');
    expect(() => tracker({ sampleRate: 1.5 })).toThrow('"sampleRate"');
  });
});
