import { Logger } from '@nestjs/common';
import type { LockAttempt } from './cache-lock';
import type { ResolvedCacheOptions } from './cache.options';
import { HotKeyTracker } from './hot-keys.tracker';
import { LruL1Store } from './lru-l1.store';
import { MemoryL2Store } from './memory-l2.store';
import { Absent } from './cache.types';
import { BatchReader } from './batch.reader';
import { LoadTimeoutError } from './cache.errors';
import { MultiTierCache, type MultiTierCacheTimings } from './multi-tier.cache';

/** The read path's rules, on an in-memory L2 and a clock the test moves. */
beforeAll(() => Logger.overrideLogger(false));

describe('MultiTierCache', () => {
  const options: ResolvedCacheOptions = { ttlMs: 10_000, l1TtlMs: 1_000, staleMs: 5_000, maxStaleMs: 60_000, negativeTtlMs: 2_000, tags: [] };
  const timings: MultiTierCacheTimings = { jitter: 0, hotL1TtlMs: 30_000, loaderSoftTimeoutMs: 50, loaderHardTimeoutMs: 200, lockWaitMs: 60 };
  let clock: number;
  let l2: MemoryL2Store;
  let published: string[][];
  let staleFlags: boolean[];
  let cache: MultiTierCache;

  function build(hotKeys = new HotKeyTracker({ now: () => clock }), lockFree = true): MultiTierCache {
    const now = () => clock;
    const lock = {
      acquire: async (): Promise<LockAttempt> => (lockFree ? { kind: 'acquired', token: 't' } : { kind: 'held-elsewhere' }),
      release: async () => undefined,
    };
    const bus = {
      publish: async (keys: readonly string[], flags?: { l2Stale?: boolean }) => (published.push([...keys]), staleFlags.push(flags?.l2Stale ?? false), true),
    };
    return new MultiTierCache(new LruL1Store({ maxEntries: 100, maxBytes: 1_000_000, now }), l2, hotKeys, lock, bus, undefined, timings, now);
  }

  beforeEach(() => {
    clock = 1_000_000;
    l2 = new MemoryL2Store(() => clock);
    published = [];
    staleFlags = [];
    cache = build();
  });

  const value = (v: number) => async () => ({ v });
  const body = (result: { entry: { body: Buffer } }) => JSON.parse(result.entry.body.toString()) as unknown;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('goes MISS → L1 → (L1 expired) L2 → (expired) STALE with one background refresh → L1', async () => {
    const loader = jest.fn(value(1));
    expect((await cache.get('k', loader, options)).tier).toBe('MISS');
    expect((await cache.get('k', loader, options)).tier).toBe('L1');
    clock += 1_500;
    expect((await cache.get('k', loader, options)).tier).toBe('L2');
    expect(loader).toHaveBeenCalledTimes(1);

    clock += 10_000;
    loader.mockImplementation(value(2));
    const [a, b] = await Promise.all([cache.get('k', loader, options), cache.get('k', loader, options)]);
    expect([a.tier, b.tier]).toEqual(['STALE', 'STALE']);
    expect(body(a)).toEqual({ v: 1 });
    await settle();
    expect(loader).toHaveBeenCalledTimes(2);
    const refreshed = await cache.get('k', loader, options);
    expect(refreshed.tier).toBe('L1');
    expect(body(refreshed)).toEqual({ v: 2 });
  });

  it('runs the loader once for 500 concurrent misses of one key', async () => {
    let loads = 0;
    const slow = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { v: 1 };
    };
    const results = await Promise.all(Array.from({ length: 500 }, () => cache.get('hot', slow, options)));
    expect(loads).toBe(1);
    expect(new Set(results.map((r) => r.entry.etag)).size).toBe(1);
  });

  it('caches "not found" for negativeTtlMs, keeping the loader\'s sentence', async () => {
    const loader = jest.fn(async () => new Absent('Product 9 does not exist.'));
    const first = await cache.get('missing', loader, options);
    expect(first.entry.negative).toBe(true);
    expect(JSON.parse(first.entry.body.toString())).toEqual({ detail: 'Product 9 does not exist.' });
    expect((await cache.get('missing', loader, options)).entry.negative).toBe(true);
    expect(loader).toHaveBeenCalledTimes(1);
    clock += 2_001;
    await cache.get('missing', loader, options);
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it('fail-safe: serves the stale value when the loader throws, until maxStaleMs after expiry', async () => {
    await cache.get('k', value(1), options);
    clock += 10_000 + 5_001; // past freshness and the stale-while-revalidate window
    const failing = async () => {
      throw new Error('database down');
    };
    const stale = await cache.get('k', failing, options);
    expect(stale.tier).toBe('STALE');
    expect(body(stale)).toEqual({ v: 1 });
    expect(cache.stats.failSafeServed).toBe(1);

    clock += 60_000; // past maxStaleMs
    await expect(cache.get('k', failing, options)).rejects.toThrow('database down');
  });

  it('serves stale past the soft timeout and lets the slow load finish in the background', async () => {
    await cache.get('k', value(1), options);
    clock += 16_000;
    const slow = async () => {
      await new Promise((resolve) => setTimeout(resolve, 120));
      return { v: 2 };
    };
    const startedAt = Date.now();
    const result = await cache.get('k', slow, options);
    expect(result.tier).toBe('STALE');
    expect(Date.now() - startedAt).toBeLessThan(110);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(body(await cache.get('k', value(3), options))).toEqual({ v: 2 });
  });

  it('abandons a load past the hard timeout when there is nothing stale to serve: a 503 with Retry-After', async () => {
    const failure = cache.get('k', () => new Promise(() => undefined), options);
    await expect(failure).rejects.toBeInstanceOf(LoadTimeoutError);
    await expect(failure).rejects.toMatchObject({ status: 503, code: 'E_LOAD_TIMEOUT', headers: { 'retry-after': '1' } });
    expect(cache.stats.loaderTimeouts).toBe(1);
  });

  it('treats an unreachable L2 as a miss, and replays failed deletes when it is back', async () => {
    await cache.get('k', value(1), options);
    l2.down = true;
    await cache.delete(['k']);
    expect(published).toEqual([['k']]);
    expect(l2.peek('k')).toBeDefined();
    expect((await cache.get('k', value(2), options)).tier).toBe('MISS');

    l2.down = false;
    await cache.replayPendingInvalidations();
    expect(cache.stats.pendingInvalidationsReplayed).toBe(1);
    // The value written by the load above failed to reach L2; the outage-era value is gone too.
    expect(l2.peek('k')).toBeUndefined();
  });

  it('a write whose L2 write fails: every pod skips the outdated L2 value, and it is deleted soon without waiting for the breaker', async () => {
    const other = build(); // a second pod on the same L2
    await cache.get('k', value(1), options);
    expect((await other.get('k', value(1), options)).tier).toBe('L2');
    l2.down = true; // one failed call: the store's breaker does not open
    await cache.set('k', { v: 2 }, options);
    l2.down = false;
    expect(staleFlags).toEqual([true]); // the bus says so
    other.dropFromL1(['k'], true); // what the other pod does with that message
    const read = await other.get('k', value(2), options);
    expect(read.tier).toBe('MISS'); // not L2's v1
    expect(body(read)).toEqual({ v: 2 });
    await new Promise((resolve) => setTimeout(resolve, 400)); // the replay timer (250 ms), not a breaker transition
    expect(cache.stats.pendingInvalidationsReplayed).toBe(1);
    expect(l2.peek('k') === undefined || (body({ entry: l2.peek('k')! }) as { v: number }).v === 2).toBe(true);
    expect((await cache.get('k', value(2), options)).entry.body.toString()).toBe('{"v":2}');
  });

  it('a loader that drops its own key from the loads (a degraded answer) is answered but fills no tier', async () => {
    const degraded = async () => {
      cache.dropFromLoads(['k']);
      return { v: 1 };
    };
    const first = await cache.get('k', degraded, options);
    expect({ tier: first.tier, body: body(first) }).toEqual({ tier: 'MISS', body: { v: 1 } });
    expect(l2.peek('k')).toBeUndefined();
    expect((await cache.get('k', value(2), options)).tier).toBe('MISS'); // not an L1 hit of the degraded answer
  });

  it('peek() answers what a tier holds, fresh or stale, and loads nothing', async () => {
    expect(await cache.peek('k')).toBeUndefined();
    await cache.get('k', value(1), options);
    expect(body({ entry: (await cache.peek('k'))! })).toEqual({ v: 1 });
    clock += 1_500; // L1 expired: from L2
    expect(body({ entry: (await cache.peek('k'))! })).toEqual({ v: 1 });
    clock += 70_000; // past the fail-safe horizon (maxStaleMs after expiry): served no more
    expect(await cache.peek('k')).toBeUndefined();
    expect(await cache.peek('other')).toBeUndefined();
  });

  it('set() writes both tiers and tells the other pods', async () => {
    await cache.set('k', { v: 7 }, { ...options, etagOf: () => '"7"' });
    expect(body({ entry: l2.peek('k')! })).toEqual({ v: 7 });
    const hit = await cache.get('k', value(0), options);
    expect(hit.tier).toBe('L1');
    expect(hit.entry.etag).toBe('"7"');
    expect(published).toEqual([['k']]);
  });

  it('waits for the pod holding the lock to fill L2 instead of loading', async () => {
    cache = build(undefined, false);
    const loader = jest.fn(value(1));
    const pending = cache.get('k', loader, options);
    await build().get('k', value(1), options); // the pod holding the lock fills L2
    const result = await pending;
    expect(result.tier).toBe('L2');
    expect(loader).not.toHaveBeenCalled();
    expect(cache.stats.lockWaitHits).toBe(1);
  });

  it('loads at once when the L2 breaker is open, without waiting for a lock holder', async () => {
    cache = build(undefined, false);
    l2.down = true; // MemoryL2Store reports its breaker open while down
    const startedAt = Date.now();
    expect((await cache.get('k', value(1), options)).tier).toBe('MISS');
    expect(Date.now() - startedAt).toBeLessThan(timings.lockWaitMs);
  });

  it('never serves from L2 a value a failed write should have replaced, and deletes it on recovery', async () => {
    await cache.get('k', value(1), options);
    l2.down = true;
    await cache.set('k', { v: 2 }, options);
    l2.down = false;
    clock += 1_500; // L1 copy expired; L2 still holds v1, which must not come back
    expect(body(await cache.get('k', value(3), options))).toEqual({ v: 2 });
    await cache.replayPendingInvalidations();
    expect(cache.stats.pendingInvalidationsReplayed).toBe(1);
  });

  it('keeps hot keys longer in L1', async () => {
    const hot = new HotKeyTracker({ now: () => clock, windowMs: 1_000, buckets: 1, sampleRate: 1, minHitsPerWindow: 1, hotKeyCount: 1 });
    cache = build(hot);
    for (let i = 0; i < 50; i++) hot.record('hot');
    clock += 1_001; // the bucket rotates: 'hot' is now in the hot set
    expect(hot.isHot('hot')).toBe(true);
    await cache.get('hot', value(1), options);
    await cache.get('cold', value(1), options);
    clock += 5_000; // past l1TtlMs (1 s), within hotL1TtlMs (30 s) and ttlMs (10 s)
    l2.down = true;
    expect((await cache.get('hot', value(2), options)).tier).toBe('L1');
    expect((await cache.get('cold', value(2), options)).tier).not.toBe('L1');
  });

  describe('read-your-writes', () => {
    /** A loader whose answer the test gives, after the load has read (and so after the generation was read). */
    function heldLoader<T>() {
      let answer!: (value: T) => void;
      const started = jest.fn();
      const loader = jest.fn(() => {
        started();
        return new Promise<T>((resolve) => (answer = resolve));
      });
      return { loader, started, answer: (value: T) => answer(value) };
    }
    const until = async (condition: () => boolean) => {
      while (!condition()) await new Promise((resolve) => setImmediate(resolve));
    };

    it('a write during a load wins: the load fills no tier, and readers after the write do not join it', async () => {
      const held = heldLoader<{ v: number }>();
      const early = cache.get('k', held.loader, options);
      await until(() => held.started.mock.calls.length === 1);
      await cache.set('k', { v: 2 }, options);
      const late = cache.get('k', value(99), options);
      held.answer({ v: 1 });
      expect(body(await early)).toEqual({ v: 1 }); // began before the write
      expect(body(await late)).toEqual({ v: 2 });
      expect(body(await cache.get('k', value(99), options))).toEqual({ v: 2 });
      expect(body({ entry: l2.peek('k')! })).toEqual({ v: 2 });
      expect(cache.stats.overtakenLoads).toBe(1);
    });

    it('a delete during a load wins: later readers load again instead of joining the old flight', async () => {
      await cache.get('k', value(1), options);
      clock += 20_000; // past fresh and stale: the next read loads
      const held = heldLoader<{ v: number }>();
      const early = cache.get('k', held.loader, options);
      await until(() => held.started.mock.calls.length === 1);
      await cache.delete(['k']);
      const after = cache.get('k', async () => new Absent('gone'), options);
      held.answer({ v: 1 });
      await early;
      expect((await after).entry.negative).toBe(true);
      expect((await cache.get('k', value(99), options)).entry.negative).toBe(true);
      expect(l2.peek('k')?.negative).toBe(true);
    });

    it("across pods: a load on A that read before B wrote neither overwrites L2 nor, after the bus message, fills A's L1", async () => {
      const podB = build();
      const held = heldLoader<{ v: number }>();
      const onA = cache.get('k', held.loader, options);
      await until(() => held.started.mock.calls.length === 1);
      await podB.set('k', { v: 2 }, options);
      held.answer({ v: 1 });
      await onA;
      expect(body({ entry: l2.peek('k')! })).toEqual({ v: 2 }); // L2 refused A's fill: its generation moved
      expect(cache.stats.overtakenFills).toBe(1);
      cache.dropFromL1(['k']); // B's bus message
      expect(body(await cache.get('k', value(99), options))).toEqual({ v: 2 });
    });

    it("a bus message during a load keeps the loaded value out of this pod's L1", async () => {
      const held = heldLoader<{ v: number }>();
      const onA = cache.get('k', held.loader, options);
      await until(() => held.started.mock.calls.length === 1);
      cache.dropFromL1(['k']);
      held.answer({ v: 1 });
      await onA;
      expect(cache.l1.get('k')).toBeUndefined();
      expect(cache.stats.overtakenLoads).toBe(1);
    });

    it('the batch path: a write on another pod during a batch load keeps its value in L2 and out of L1', async () => {
      const podB = build();
      const reader = new BatchReader(cache);
      let answer!: (values: Map<string, { v: number }>) => void;
      const loader = jest.fn(() => new Promise<Map<string, { v: number }>>((resolve) => (answer = resolve)));
      const batch = reader.getMany(['a', 'b'], loader, options);
      await until(() => loader.mock.calls.length === 1);
      await podB.set('a', { v: 2 }, options);
      cache.dropFromL1(['a']);
      answer(
        new Map([
          ['a', { v: 1 }],
          ['b', { v: 1 }],
        ]),
      );
      await batch;
      expect(body({ entry: l2.peek('a')! })).toEqual({ v: 2 });
      expect(body({ entry: l2.peek('b')! })).toEqual({ v: 1 });
      expect(cache.l1.get('a')).toBeUndefined();
      expect(body(await cache.get('a', value(99), options))).toEqual({ v: 2 });
    });
  });
});
