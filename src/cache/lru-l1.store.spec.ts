import { createEntry } from './cache-entry.codec';
import type { CacheEntry } from './cache.types';
import { LruL1Store } from './lru-l1.store';

const OVERHEAD = 64;

describe('LruL1Store', () => {
  let clock: number;
  const now = (): number => clock;

  /** An entry of `bodyBytes` bytes, fresh for 1 s and servable stale for 10 s from now. */
  const entry = (bodyBytes = 10, freshMs = 1000, staleMs = 10_000): CacheEntry =>
    createEntry(Buffer.alloc(bodyBytes, 'x'), clock + freshMs, clock + staleMs, false, []);

  beforeEach(() => {
    clock = 1_000_000;
  });

  it('evicts the least recently used entry past maxEntries', () => {
    const l1 = new LruL1Store({ maxEntries: 2, maxBytes: 1_000_000, now });
    l1.set('a', entry());
    l1.set('b', entry());
    l1.get('a');
    l1.set('c', entry());

    expect(l1.get('b')).toBeUndefined();
    expect(l1.get('a')).toBeDefined();
    expect(l1.get('c')).toBeDefined();
    expect(l1.size).toBe(2);
  });

  it('evicts least recently used entries until the bytes fit', () => {
    const perEntry = 100 + 1 + OVERHEAD;
    const l1 = new LruL1Store({ maxEntries: 100, maxBytes: perEntry * 3, now });
    l1.set('a', entry(100));
    l1.set('b', entry(100));
    l1.set('c', entry(100));
    expect(l1.bytes).toBe(perEntry * 3);

    l1.set('d', entry(100 + perEntry));

    expect(l1.get('a')).toBeUndefined();
    expect(l1.get('b')).toBeUndefined();
    expect(l1.get('c')).toBeDefined();
    expect(l1.get('d')).toBeDefined();
    expect(l1.bytes).toBeLessThanOrEqual(perEntry * 3);
  });

  it('does not store an entry larger than maxBytes, and drops the old one of that key', () => {
    const l1 = new LruL1Store({ maxEntries: 100, maxBytes: 1000, now });
    l1.set('a', entry());
    l1.set('b', entry());
    l1.set('a', entry(1000));

    expect(l1.get('a')).toBeUndefined();
    expect(l1.get('b')).toBeDefined();
    expect(l1.size).toBe(1);
  });

  it('returns a stale entry until its staleUntil', () => {
    const l1 = new LruL1Store({ maxEntries: 10, maxBytes: 10_000, now });
    const stored = entry(10, 1000, 5000);
    l1.set('a', stored);

    clock += 4999;

    expect(l1.get('a')).toBe(stored);
  });

  it('returns undefined past staleUntil and removes the entry', () => {
    const l1 = new LruL1Store({ maxEntries: 10, maxBytes: 10_000, now });
    l1.set('a', entry(10, 1000, 5000));

    clock += 5000;

    expect(l1.get('a')).toBeUndefined();
    expect(l1.size).toBe(0);
    expect(l1.bytes).toBe(0);
  });

  it('does not store an entry already past its staleUntil', () => {
    const l1 = new LruL1Store({ maxEntries: 10, maxBytes: 10_000, now });
    l1.set('a', entry());
    l1.set('a', entry(10, -2000, -1000));

    expect(l1.get('a')).toBeUndefined();
    expect(l1.size).toBe(0);
  });

  it('keeps a key longer when it is set again with a later staleUntil', () => {
    const l1 = new LruL1Store({ maxEntries: 10, maxBytes: 10_000, now });
    const first = entry(10, 1000, 5000);
    l1.set('a', first);
    l1.set('a', { ...first, staleUntil: clock + 60_000 });

    clock += 30_000;

    expect(l1.get('a')?.body).toBe(first.body);
    expect(l1.size).toBe(1);
  });

  it('deletes one key and clears all', () => {
    const l1 = new LruL1Store({ maxEntries: 10, maxBytes: 10_000, now });
    l1.set('a', entry());
    l1.set('b', entry());
    l1.set('c', entry());

    l1.delete('a');
    expect(l1.get('a')).toBeUndefined();
    expect(l1.size).toBe(2);

    l1.clear();
    expect(l1.get('b')).toBeUndefined();
    expect(l1.size).toBe(0);
    expect(l1.bytes).toBe(0);
  });

  it('counts body, key and a fixed overhead per entry, and updates on replace and delete', () => {
    const l1 = new LruL1Store({ maxEntries: 10, maxBytes: 10_000, now });
    l1.set('key', entry(100));
    l1.set('k2', entry(50));
    expect(l1.size).toBe(2);
    expect(l1.bytes).toBe(100 + 3 + OVERHEAD + (50 + 2 + OVERHEAD));

    l1.set('key', entry(10));
    expect(l1.bytes).toBe(10 + 3 + OVERHEAD + (50 + 2 + OVERHEAD));

    l1.delete('k2');
    expect(l1.size).toBe(1);
    expect(l1.bytes).toBe(10 + 3 + OVERHEAD);
  });
});
