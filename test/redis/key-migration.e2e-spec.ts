import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { migrateKeyNames } from '../../src/redis';
import { BACKOFF_TYPE } from '../../src/write-behind/write-behind.constants';
import { TEST_REDIS_URL } from '../support/services';
import { SharedIsolation } from '../support/shared-isolation';
import { startTestApp, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';

/**
 * An upgrade from the versions before hash tags (their key names: `wb:<entity>:…`,
 * `bull:<queue>:…`, `degradation:overrides`): the keyspace an old version left (a write
 * acknowledged, not yet flushed, its job waiting; a dead letter; a runtime switch override) is
 * moved by `migrateKeyNames` with every process stopped, and the new version then flushes the
 * old write, lists the dead letter, keeps the override and goes on from the row's version.
 */
describe('Redis key names: the migration from the names before hash tags (e2e)', () => {
  const shared = new SharedIsolation();
  const p = shared.keyPrefix;
  let redis: Redis;
  let t: TestApp | undefined;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await t?.close();
    await shared.cleanup();
    redis.disconnect();
  });

  /** What the old version left in Redis: its state of the seeded rows, one pending write of row 3 (v2) and its job, a dead letter, an override. */
  async function leaveAnOldKeyspace(): Promise<void> {
    // A first start seeds the schema and loads the row states (under the new names); they are read, the app
    // closed (which drops every key of the prefix), and written back under the old names.
    const seeding = await startTestApp({ env: shared.env({ APP_ROLE: 'api', CATALOG_SEED_COUNT: '5' }) });
    const [rows, uniq, ids] = await Promise.all([
      redis.hgetall(`${p}wb:{products}:rows`),
      redis.hgetall(`${p}wb:{products}:uniq`),
      redis.lrange(`${p}wb:{products}:ids`, 0, -1),
    ]);
    await seeding.close();
    await redis.hset(`${p}wb:products:rows`, rows);
    await redis.hset(`${p}wb:products:uniq`, uniq);
    await redis.rpush(`${p}wb:products:ids`, ...ids);
    await redis.set(`${p}wb:products:loaded`, '1');

    const [, meta, sku] = (await redis.hget(`${p}wb:products:rows`, '3'))!.split('|');
    const state = { sku, name: 'Acknowledged before the upgrade', description: '', priceMinor: 1, currency: 'EUR', stock: 7, tags: [], updatedAt: meta };
    await redis.hset(`${p}wb:products:rows`, '3', `2|${meta}|${sku}`);
    await redis.hset(`${p}wb:products:pend`, '3', `2|upsert|${meta}|${JSON.stringify(state)}`);
    await redis.hset(`${p}wb:products:job`, '3', '3-2');
    await redis.hset(`${p}degradation:overrides`, 'recommendations', 'off');
    // The old version's queue (prefix `<p>bull`, its job options) and its jobs, one row each at the top level.
    const old = new Queue('wb-products', {
      connection: redis.duplicate(),
      prefix: `${p}bull`,
      defaultJobOptions: { attempts: 5, backoff: { type: BACKOFF_TYPE }, removeOnComplete: true },
    });
    try {
      await old.add('products', { id: 3, kind: 'upsert', version: 2, meta }, { jobId: '3-2' });
      await old.add(
        'products',
        { id: 4, kind: 'upsert', version: 9, meta, state: { name: 'old' }, reason: { code: '23514', message: 'refused' } },
        { jobId: 'dead-4' },
      );
      // The dead letter: in the failed set, as a worker leaves it.
      await redis.multi().lrem(`${p}bull:wb-products:wait`, 0, 'dead-4').zadd(`${p}bull:wb-products:failed`, Date.now(), 'dead-4').exec();
    } finally {
      await old.close();
      await old.disconnect();
    }
  }

  it('moves the old names (idempotently, never over a new key); the new version flushes the old write, lists its dead letter, keeps the override', async () => {
    await leaveAnOldKeyspace();
    const before = await redis.keys(`${p}*`);
    expect(before.some((key) => key.includes('{'))).toBe(false);

    const report = await migrateKeyNames(redis, p);
    expect(report.conflicts).toEqual([]);
    expect(report.renamed).toBeGreaterThanOrEqual(10);
    const after = await redis.keys(`${p}*`);
    expect(after.filter((key) => !key.includes('{'))).toEqual([]);
    expect(await redis.hget(`${p}{degradation}:overrides`, 'recommendations')).toBe('off');
    expect(await migrateKeyNames(redis, p)).toEqual({ renamed: 0, conflicts: [] });

    t = await startTestApp({ env: shared.env({ APP_ROLE: 'all', CATALOG_SEED_COUNT: '5', ADMIN_TOKEN: 'key-migration-token-0123456789' }) });
    // The write acknowledged before the upgrade lands, from its old job (one row at the top level).
    await writesFlushed(t.app);
    expect(await shared.sql('SELECT name, stock, version FROM products WHERE id = 3')).toEqual([
      { name: 'Acknowledged before the upgrade', stock: 7, version: 2 },
    ]);
    // The state moved with it: the next write of row 3 is version 3, not a second version 2.
    const next = await t.app.inject({
      method: 'PUT',
      url: '/products/3',
      payload: { sku: 'DEMO-0000003', name: 'After', priceMinor: 1, currency: 'EUR', stock: 8 },
    });
    expect(next.json()).toMatchObject({ version: 3 });
    // The dead letter is listed as before; the override still holds.
    const letters = await t.app.inject({
      method: 'GET',
      url: '/admin/dead-letters/products',
      headers: { authorization: 'Bearer key-migration-token-0123456789' },
    });
    expect(letters.json()).toEqual([expect.objectContaining({ jobId: 'dead-4', id: 4, version: 9, reason: { code: '23514', message: 'refused' } })]);
    expect((await t.app.inject({ method: 'GET', url: '/products/1/recommendations' })).headers['x-degraded']).toBe('recommendations');
  });

  it('leaves an old key alone when its new name exists (a new process ran before the migration) and reports it', async () => {
    await redis.hset(`${p}wb:products:pend`, '5', 'old');
    await redis.hset(`${p}wb:{products}:pend`, '5', 'new');
    const report = await migrateKeyNames(redis, p);
    expect(report).toEqual({ renamed: 0, conflicts: [`${p}wb:products:pend`] });
    expect(await redis.hget(`${p}wb:{products}:pend`, '5')).toBe('new');
  });
});
