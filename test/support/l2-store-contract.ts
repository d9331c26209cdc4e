import { setTimeout as sleep } from 'node:timers/promises';
import { createEntry } from '../../src/cache/cache-entry.codec';
import type { CacheEntry, L2Store } from '../../src/cache/cache.types';

/**
 * The contract every {@link L2Store} keeps (see `cache.types.ts`), as one
 * suite to run against each implementation: `MemoryL2Store` stands in for
 * `RedisL2Store` in the unit tests of the read path, so both must behave the
 * same way. `factory(namespace)` returns a store of its own namespace (the
 * key prefix, for Redis); stores of different namespaces must not see each
 * other's keys. Each test uses fresh namespaces.
 */
export function describeL2StoreContract(name: string, factory: (namespace: string) => L2Store): void {
  let counter = 0;
  const freshNamespace = () => `contract${++counter}`;
  const fresh = () => factory(freshNamespace());

  const now = Date.now();
  /** The same body gives an equal entry (the L2 TTL is given apart from the entry's own times). */
  function entry(body: string, tags: readonly string[] = []): CacheEntry {
    return createEntry(Buffer.from(body, 'utf8'), now + 60_000, now + 120_000, false, tags);
  }

  describe(`L2Store contract: ${name}`, () => {
    it('is closed while healthy', () => {
      expect(fresh().state()).toBe('closed');
    });

    it('get answers what set stored, undefined for a key never set; set overwrites', async () => {
      const store = fresh();
      const first = entry('{"v":1}', ['product']);
      const second = entry('{"v":2}');

      expect(await store.get('k')).toBeUndefined();
      await store.set('k', first, 60_000);
      expect(await store.get('k')).toEqual(first);
      await store.set('k', second, 60_000);
      expect(await store.get('k')).toEqual(second);
    });

    it('getMany (the MGET) is aligned with the keys, undefined for the missing ones; [] for no keys', async () => {
      const store = fresh();
      const a = entry('{"a":1}');
      const c = entry('{"c":3}');
      await store.setMany([
        { key: 'a', entry: a, ttlMs: 60_000 },
        { key: 'c', entry: c, ttlMs: 60_000 },
      ]);

      expect(await store.getMany(['c', 'b', 'a', 'c'])).toEqual([c, undefined, a, c]);
      expect(await store.getMany([])).toEqual([]);
    });

    it('delete removes every key given, absent ones included, and nothing else', async () => {
      const store = fresh();
      await store.setMany(['d1', 'd2', 'keep'].map((key) => ({ key, entry: entry(key), ttlMs: 60_000 })));

      await store.delete(['d1', 'd2', 'never-set']);

      expect(await store.getMany(['d1', 'd2', 'never-set', 'keep'])).toEqual([undefined, undefined, undefined, entry('keep')]);
    });

    it('expires an entry after its TTL (set, setMany and fill alike); a non-positive TTL still overwrites and expires at once', async () => {
      const store = fresh();
      const [generation] = await store.generations(['filled']);
      await store.set('short', entry('s'), 150);
      await store.setMany([{ key: 'short-many', entry: entry('m'), ttlMs: 150 }]);
      expect(await store.fill([{ key: 'filled', entry: entry('f'), ttlMs: 150, generation: generation }])).toBe(1);
      await store.set('long', entry('l'), 60_000);
      await store.set('gone', entry('old'), 60_000);
      await store.set('gone', entry('new'), 0);

      expect(await store.getMany(['short', 'short-many', 'filled'])).toEqual([expect.anything(), expect.anything(), expect.anything()]);
      await sleep(300);
      expect(await store.getMany(['short', 'short-many', 'filled', 'long', 'gone'])).toEqual([undefined, undefined, undefined, expect.anything(), undefined]);
    });

    it("generations: '' for a key never written; every set, setMany and delete moves it on", async () => {
      const store = fresh();
      const seen: string[] = [];
      const read = async () => seen.push((await store.generations(['g']))[0]);

      await read();
      await store.set('g', entry('1'), 60_000);
      await read();
      await store.setMany([{ key: 'g', entry: entry('2'), ttlMs: 60_000 }]);
      await read();
      await store.delete(['g']);
      await read();
      await store.delete(['g']); // also when there is nothing to delete
      await read();

      expect(seen[0]).toBe('');
      expect(new Set(seen).size).toBe(5);
      expect(await store.generations(['g', 'never', 'g'])).toEqual([seen[4], '', seen[4]]);
      expect(await store.generations([])).toEqual([]);
    });

    it('fill stores a loaded value only where the generation is still the one read before the load, and counts what it stored', async () => {
      const store = fresh();
      await store.set('written', entry('before'), 60_000);
      const keys = ['untouched', 'written', 'deleted', 'never'];
      const before = await store.generations(keys);
      const loaded = entry('loaded (maybe old)');
      const write = entry('written during the load');

      await store.set('written', write, 60_000);
      await store.delete(['deleted']);
      const stored = await store.fill(keys.slice(0, 3).map((key, i) => ({ key, entry: loaded, ttlMs: 60_000, generation: before[i] })));

      expect(stored).toBe(1);
      expect(await store.getMany(['untouched', 'written', 'deleted'])).toEqual([loaded, write, undefined]);
      // A generation that never existed does not match either.
      expect(await store.fill([{ key: 'never', entry: loaded, ttlMs: 60_000, generation: '7' }])).toBe(0);
      expect(await store.get('never')).toBeUndefined();
      expect(await store.fill([])).toBe(0);
    });

    it('fill is not a write: it leaves the generation where it was, so a second load from the same generation may fill too', async () => {
      const store = fresh();
      const [generation] = await store.generations(['k']);

      expect(await store.fill([{ key: 'k', entry: entry('first'), ttlMs: 60_000, generation: generation }])).toBe(1);
      expect(await store.generations(['k'])).toEqual([generation]);
      expect(await store.fill([{ key: 'k', entry: entry('second'), ttlMs: 60_000, generation: generation }])).toBe(1);
      expect(await store.get('k')).toEqual(entry('second'));
    });

    it('clear removes every entry of its own namespace only, and keeps generations (clearing is not a write of a key)', async () => {
      const namespace = freshNamespace();
      const store = factory(namespace);
      // A namespace that extends this one's name: a prefix match must not take it for its own.
      const neighbour = factory(`${namespace}-neighbour`);
      await store.setMany(['x', 'y'].map((key) => ({ key, entry: entry(key), ttlMs: 60_000 })));
      await neighbour.set('x', entry('neighbour'), 60_000);
      const generations = await store.generations(['x', 'y']);

      await store.clear();

      expect(await store.getMany(['x', 'y'])).toEqual([undefined, undefined]);
      expect(await neighbour.get('x')).toEqual(entry('neighbour'));
      expect(await store.generations(['x', 'y'])).toEqual(generations);
    });
  });
}
