import type Redis from 'ioredis';
import type { Command } from 'ioredis';
import { MULTI_TIER_CACHE } from '../../src/cache/cache.tokens';
import type { MultiTierCache } from '../../src/cache/multi-tier.cache';
import { DatabaseService } from '../../src/database/database.service';
import { REDIS_CACHE_CLIENT } from '../../src/redis/redis.constants';
import { TEST_REDIS_URL } from '../support/services';
import { deleteKeys } from '../support/redis-keys';
import { startTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(30_000);

/**
 * `GET /products?ids=` through `CacheService.batch`, counting round trips
 * with spies on the app's shared ioredis client (`sendCommand`: every
 * command, pipelined ones included) and on `DatabaseService.query` (every
 * SQL statement):
 * - 100 cold ids: one MGET and one SQL query, items in request order, the
 *   absent ids listed in `missing`;
 * - the same request again: no MGET and no SQL (all from L1), same bytes;
 * - 20 concurrent requests of 5 ids each, issued in the same tick: merged
 *   into one MGET and one SQL query, each request getting its own answer.
 */
describe('batch lookups through the cache (e2e)', () => {
  let t: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    t = await startTestApp({ env: { CATALOG_SEED_COUNT: '250' } });
    redis = t.app.get<Redis>(REDIS_CACHE_CLIENT);
  });
  afterAll(async () => {
    await t.close();
    await deleteKeys(TEST_REDIS_URL, t.keyPrefix);
  });
  afterEach(() => jest.restoreAllMocks());

  /** Spies on Redis commands and SQL statements from now on. */
  function countTrips(): { commands: () => Command[]; mgets: () => Command[]; generationReads: () => Command[]; sql: () => unknown[][] } {
    const send = jest.spyOn(redis, 'sendCommand');
    const query = jest.spyOn(t.app.get(DatabaseService), 'query');
    const commands = () => send.mock.calls.map(([command]) => command);
    // Value reads, and the reads of the keys' generations a load makes before it reads PostgreSQL.
    const mgetsOf = (namespace: string) => commands().filter((c) => c.name === 'mget' && String(c.args[0]).startsWith(t.keyPrefix + namespace));
    return { commands, mgets: () => mgetsOf('cache:'), generationReads: () => mgetsOf('cache-gen:'), sql: () => query.mock.calls };
  }

  type Batch = { items: Array<{ id: number; sku: string }>; missing: number[] };

  /** The ids in an order unlike any sort: `i * 37 mod n` walks all of 0..n-1 since gcd(37, n) = 1. */
  function scrambled<T>(values: readonly T[]): T[] {
    return values.map((_, i) => values[(i * 37) % values.length]);
  }

  it('100 cold ids: one MGET, one SQL query; items in request order, absent ids in `missing`; again: nothing but L1', async () => {
    const present = Array.from({ length: 90 }, (_, i) => i + 1);
    const absent = Array.from({ length: 10 }, (_, i) => 900_001 + i);
    const ids = scrambled([...present, ...absent]);
    expect(new Set(ids).size).toBe(100);
    const url = `/products?ids=${ids.join(',')}`;
    const trips = countTrips();

    const cold = await t.app.inject({ method: 'GET', url });

    expect(cold.statusCode).toBe(200);
    expect(cold.headers['content-type']).toMatch(/^application\/json/);
    const body = cold.json<Batch>();
    expect(body.items.map((p) => p.id)).toEqual(ids.filter((id) => id <= 90));
    expect(body.missing).toEqual(ids.filter((id) => id > 90));
    for (const item of body.items) expect(item).toMatchObject({ sku: `DEMO-${String(item.id).padStart(7, '0')}`, version: 1 });
    expect(trips.mgets().map((c) => c.args.length)).toEqual([100]); // one MGET carrying every key
    expect(trips.generationReads().map((c) => c.args.length)).toEqual([100]); // and one of their generations
    expect(trips.sql()).toHaveLength(1);
    expect(trips.sql()[0]).toEqual([expect.stringContaining('= ANY($1'), [expect.arrayContaining(ids)]]);
    // The loaded values (and the 404s) are written back: every key is in L2.
    expect((await redis.mget(ids.map((id) => `${t.keyPrefix}cache:{product:${id}}`))).filter((text) => text === null)).toEqual([]);

    jest.restoreAllMocks();
    const warmTrips = countTrips();
    const warm = await t.app.inject({ method: 'GET', url });
    expect(warm.statusCode).toBe(200);
    expect(warm.body).toBe(cold.body);
    expect(warmTrips.commands()).toEqual([]);
    expect(warmTrips.sql()).toEqual([]);
  });

  it('20 concurrent requests of 5 cold ids each, in the same tick: one MGET and one SQL query for all', async () => {
    const groups = Array.from({ length: 20 }, (_, k) => [151, 152, 153, 154, 155].map((id) => id + 5 * k));
    groups[19] = [246, 800_001, 247, 800_002, 248]; // and a few absent ids
    const trips = countTrips();

    const responses = await Promise.all(groups.map((ids) => t.app.inject({ method: 'GET', url: `/products?ids=${ids.join(',')}` })));

    expect(trips.mgets().map((c) => c.args.length)).toEqual([100]); // one MGET carrying every key
    expect(trips.generationReads().map((c) => c.args.length)).toEqual([100]);
    expect(trips.sql()).toHaveLength(1);
    responses.forEach((res, k) => {
      expect(res.statusCode).toBe(200);
      const body = res.json<Batch>();
      expect(body.items.map((p) => p.id)).toEqual(groups[k].filter((id) => id <= 250));
      expect(body.missing).toEqual(groups[k].filter((id) => id > 250));
    });
  });

  it('a batch after single reads: L1 hits skip Redis, L2 hits skip PostgreSQL, only the rest is loaded', async () => {
    for (const id of [120, 123]) expect((await t.app.inject({ method: 'GET', url: `/products/${id}` })).statusCode).toBe(200);
    // 123 leaves L1 (as after L1 expiry) but stays in L2.
    t.app.get<MultiTierCache>(MULTI_TIER_CACHE).l1.delete('product:123');
    const trips = countTrips();

    const res = await t.app.inject({ method: 'GET', url: '/products?ids=121,120,123,122' });

    expect(res.json<Batch>().items.map((p) => p.id)).toEqual([121, 120, 123, 122]);
    expect(trips.mgets().map((c) => c.args)).toEqual([[121, 123, 122].map((id) => `${t.keyPrefix}cache:{product:${id}}`)]);
    expect(trips.generationReads().map((c) => c.args)).toEqual([[121, 122].map((id) => `${t.keyPrefix}cache-gen:{product:${id}}`)]);
    expect(trips.sql()).toEqual([[expect.any(String), [[121, 122]]]]);
  });
});
