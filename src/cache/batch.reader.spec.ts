import { Logger } from '@nestjs/common';
import { BatchCoalescer } from './batch.coalescer';
import { BatchReader } from './batch.reader';
import type { ResolvedCacheOptions } from './cache.options';
import { HotKeyTracker } from './hot-keys.tracker';
import { LruL1Store } from './lru-l1.store';
import { MemoryL2Store } from './memory-l2.store';
import type { CacheResult } from './cache.types';
import { MultiTierCache } from './multi-tier.cache';

beforeAll(() => Logger.overrideLogger(false));

describe('BatchReader', () => {
  const options: ResolvedCacheOptions = { ttlMs: 10_000, l1TtlMs: 1_000, staleMs: 0, maxStaleMs: 60_000, negativeTtlMs: 2_000, tags: [] };
  let clock: number;
  let l2: MemoryL2Store;
  let cache: MultiTierCache;
  let reader: BatchReader;

  beforeEach(() => {
    clock = 1_000_000;
    const now = () => clock;
    l2 = new MemoryL2Store(now);
    const lock = { acquire: async () => ({ kind: 'acquired' as const, token: 't' }), release: async () => undefined };
    cache = new MultiTierCache(
      new LruL1Store({ maxEntries: 1000, maxBytes: 1e7, now }),
      l2,
      new HotKeyTracker({ now }),
      lock,
      undefined,
      undefined,
      { jitter: 0, hotL1TtlMs: 0, loaderSoftTimeoutMs: 50, loaderHardTimeoutMs: 200, lockWaitMs: 0 },
      now,
    );
    reader = new BatchReader(cache);
  });

  const loaderOf = (existing: readonly string[]) =>
    jest.fn(async (keys: readonly string[]) => new Map(keys.filter((k) => existing.includes(k)).map((k) => [k, { id: k }])));

  it('L1 first, then ONE L2 read for the rest, then ONE load for what L2 lacks, then ONE L2 fill', async () => {
    await reader.getMany(['a'], loaderOf(['a']), options); // a: in L1 and L2
    await l2.setMany([{ key: 'b', entry: cache.entries.of({ id: 'b' }, options), ttlMs: 60_000 }]); // b: only in L2
    l2.calls.getMany = 0;
    l2.calls.fill = 0;

    const loader = loaderOf(['c']);
    const results = await reader.getMany(['a', 'b', 'c', 'd'], loader, options);
    expect([...results.entries()].map(([k, r]) => [k, r.tier, r.entry.negative])).toEqual([
      ['a', 'L1', false],
      ['b', 'L2', false],
      ['c', 'MISS', false],
      ['d', 'MISS', true],
    ]);
    expect(l2.calls.getMany).toBe(1);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(loader).toHaveBeenCalledWith(['c', 'd']);
    expect(l2.calls.fill).toBe(1);

    const again = jest.fn(loaderOf([]));
    const second = await reader.getMany(['a', 'b', 'c', 'd'], again, options);
    expect([...second.values()].map((r) => r.tier)).toEqual(['L1', 'L1', 'L1', 'L1']);
    expect(again).not.toHaveBeenCalled();
  });

  it('after a delete that L2 missed, loads the key instead of reading L2, until the delete is replayed', async () => {
    await reader.getMany(['a'], loaderOf(['a']), options); // a: in L1 and L2
    l2.down = true;
    await cache.delete(['a']); // L2 still holds the deleted value
    l2.down = false; // back, the delete not replayed yet
    const loader = loaderOf([]);
    const results = await reader.getMany(['a'], loader, options);
    expect(results.get('a')?.tier).toBe('MISS');
    expect(results.get('a')?.entry.negative).toBe(true);
    expect(loader).toHaveBeenCalledWith(['a']);
  });

  it('serves stale values when the batch loader fails and every key has one', async () => {
    await reader.getMany(['a', 'b'], loaderOf(['a', 'b']), options);
    clock += 10_001;
    const failing = async () => {
      throw new Error('database down');
    };
    const results = await reader.getMany(['a', 'b'], failing, options);
    expect([...results.values()].map((r) => r.tier)).toEqual(['STALE', 'STALE']);
    await expect(reader.getMany(['a', 'new'], failing, options)).rejects.toThrow('database down');
  });

  it('reads through a failing L2 as misses', async () => {
    l2.down = true;
    const results = await reader.getMany(['a'], loaderOf(['a']), options);
    expect(results.get('a')!.tier).toBe('MISS');
  });
});

describe('BatchCoalescer', () => {
  const result = (key: string): CacheResult => ({
    entry: { body: Buffer.from(key), etag: '"x"', freshUntil: 0, staleUntil: 0, negative: false, tags: [] },
    tier: 'MISS',
  });

  it('merges the lookups of one tick into batches of at most maxKeys', async () => {
    const read = jest.fn(async (keys: readonly string[]) => new Map(keys.map((k) => [k, result(k)])));
    const coalescer = new BatchCoalescer(read, 3);
    const [first, second] = await Promise.all([coalescer.load(['a', 'b']), coalescer.load(['b', 'c', 'd'])]);
    expect(read.mock.calls.map(([keys]) => keys)).toEqual([['a', 'b', 'c'], ['d']]);
    expect([...first.keys()]).toEqual(['a', 'b']);
    expect([...second.keys()]).toEqual(['b', 'c', 'd']);
    await coalescer.load(['e']);
    expect(read).toHaveBeenCalledTimes(3);
  });

  it('answers fresh L1 hits at once: a lookup L1 answers whole reads nothing; the misses alone are batched, the key order kept', async () => {
    const read = jest.fn(async (keys: readonly string[]) => new Map(keys.map((k) => [k, result(k)])));
    const inL1 = new Map(['a', 'c'].map((k) => [k, result(k).entry]));
    const coalescer = new BatchCoalescer(read, 10, (key) => inL1.get(key));
    const whole = await coalescer.load(['c', 'a']);
    expect([...whole].map(([key, r]) => [key, r.tier])).toEqual([
      ['c', 'L1'],
      ['a', 'L1'],
    ]);
    expect(read).not.toHaveBeenCalled();
    const mixed = await coalescer.load(['a', 'b', 'c', 'd']);
    expect([...mixed].map(([key, r]) => [key, r.tier])).toEqual([
      ['a', 'L1'],
      ['b', 'MISS'],
      ['c', 'L1'],
      ['d', 'MISS'],
    ]);
    expect(read.mock.calls.map(([keys]) => keys)).toEqual([['b', 'd']]);
  });

  it('fails only the lookups whose keys were in a failed batch', async () => {
    const read = jest.fn(async (keys: readonly string[]) => {
      if (keys.includes('bad')) throw new Error('boom');
      return new Map(keys.map((k) => [k, result(k)]));
    });
    const coalescer = new BatchCoalescer(read, 1);
    const [ok, failed] = await Promise.allSettled([coalescer.load(['good']), coalescer.load(['bad'])]);
    expect(ok.status).toBe('fulfilled');
    expect(failed.status).toBe('rejected');
  });
});
