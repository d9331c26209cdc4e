import Redis from 'ioredis';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';
import { ThrowawayRedis } from '../support/redis-server';
import { SharedIsolation } from '../support/shared-isolation';
import { startTestApp, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';

jest.setTimeout(60_000);

const KEYS = 30;
const sku = (id: number) => `DEMO-${String(id).padStart(7, '0')}`;

/**
 * Group commit on a real Redis: writes that arrive together share one edge script, one job add
 * and one WAIT, and each still gets its own answer. The queue Redis is a throwaway server whose
 * ACL the test narrows to the write state's keys, so that Redis itself refuses a group's job add
 * (NOPERM on BullMQ's keys) while the edge script goes through: a failure in the middle of a group.
 */
describe('write-behind: group commit (e2e)', () => {
  const shared = new SharedIsolation();
  let redis: ThrowawayRedis;
  let admin: Redis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    admin = new Redis(redis.url);
    await admin.acl('SETUSER', 'grouper', 'on', '>secret', '+@all', 'allkeys', 'allchannels');
    const url = `redis://grouper:secret@127.0.0.1:${redis.port}`;
    t = await startTestApp({
      // A window of a few ms: the concurrent injects below reach the write path in the same group whatever inject's own scheduling.
      env: shared.env({ REDIS_URL: url, APP_ROLE: 'api', CATALOG_SEED_COUNT: String(KEYS), WRITE_BEHIND_GROUP_WINDOW_MS: '5' }),
    });
  });
  afterAll(async () => {
    await t?.close();
    admin?.disconnect();
    await shared.cleanup(redis.url);
    await redis.stop();
  });

  const put = (id: number, body: { sku?: string; stock: number; version?: number }) =>
    t.app.inject({
      method: 'PUT',
      url: `/products/${id}`,
      payload: {
        sku: body.sku ?? sku(id),
        name: 'Grouped',
        priceMinor: 1,
        currency: 'EUR',
        stock: body.stock,
        ...(body.version === undefined ? {} : { version: body.version }),
      },
    });
  const versionOf = async (id: number) => (await t.app.inject({ method: 'GET', url: `/products/${id}` })).json<{ version: number }>().version;
  const snapshot = () => t.app.get(WriteBehindRegistry).get('products')!.snapshot();
  /** A worker app on the same Redis (this app is API-only) until every queued write has landed. */
  const flushWithAWorker = async () => {
    const worker = await startTestApp({
      env: shared.env({ REDIS_URL: `redis://grouper:secret@127.0.0.1:${redis.port}`, APP_ROLE: 'worker', CATALOG_SEED_COUNT: String(KEYS) }),
    });
    try {
      await writesFlushed(worker.app, 20_000);
    } finally {
      await worker.close();
    }
  };

  it('a group mixing accepted, stale, duplicate and repeated writes: each its own answer, in fewer Redis calls than writes, and all acknowledged land', async () => {
    const seeded = await shared.sql<{ id: string; version: number; stock: number }>('SELECT id, version, stock FROM products WHERE id <= 14 ORDER BY id');
    const before = await snapshot();
    const [accepted, stale, duplicate, first, second] = await Promise.all([
      Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((id) => put(id, { stock: 100 + id, version: 1 }))),
      Promise.all([9, 10, 11].map((id) => put(id, { stock: 0, version: 7 }))),
      Promise.all([12, 13].map((id) => put(id, { stock: 0, sku: sku(1) }))),
      put(14, { stock: 1 }),
      put(14, { stock: 2 }),
    ]);

    expect(accepted.map((res) => [res.statusCode, res.json<{ version: number }>().version])).toEqual(accepted.map(() => [200, 2]));
    expect(stale.map((res) => [res.statusCode, res.json<{ code: string }>().code])).toEqual(stale.map(() => [409, 'E_VERSION_CONFLICT']));
    expect(duplicate.map((res) => [res.statusCode, res.json<{ code: string }>().code])).toEqual(duplicate.map(() => [409, 'E_DUPLICATE_SKU']));
    // Row 14 twice in one group: the second write checks against the first and joins its job.
    expect([first, second].map((res) => res.json<{ version: number }>().version).sort()).toEqual([2, 3]);
    const after = await snapshot();
    expect(after.groupedWrites - before.groupedWrites).toBe(15);
    expect(after.groups - before.groups).toBeLessThanOrEqual(3);
    expect(after.coalesced - before.coalesced).toBe(1);
    // One job per group, naming its rows (1-8 and 14, each once); the states stay in the write state, once per row.
    const jobs = await t.app.get(WriteBehindRegistry).get('products')!.queue.getJobs(['waiting']);
    expect(jobs.length).toBeLessThanOrEqual(after.groups - before.groups);
    expect(jobs.flatMap((job) => job.data.rows.map((row) => row.id)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 14]);
    expect(jobs.filter((job) => 'state' in job.data)).toEqual([]);

    await flushWithAWorker();
    const rows = await shared.sql<{ id: string; version: number; stock: number }>('SELECT id, version, stock FROM products WHERE id <= 14 ORDER BY id');
    const landed = new Map(rows.map((row) => [Number(row.id), [row.version, row.stock]]));
    for (let id = 1; id <= 8; id++) expect(landed.get(id)).toEqual([2, 100 + id]);
    for (const row of seeded.filter((r) => Number(r.id) >= 9 && Number(r.id) <= 13)) expect(landed.get(Number(row.id))).toEqual([row.version, row.stock]);
    expect(landed.get(14)?.[0]).toBe(3);
  });

  it('Redis refuses the jobs of a group: those writes are undone and answer 503, a write that joined a job already waiting is kept, nothing is half-written', async () => {
    // Row 20 gets a waiting job (no worker runs in this API-only app): its next write joins that job, no add needed.
    expect((await put(20, { stock: 1 })).statusCode).toBe(200);
    const versions = new Map(await Promise.all([20, 21, 22, 23].map(async (id) => [id, await versionOf(id)] as const)));

    // Only the write state's keys: the edge script runs, BullMQ's add is refused (NOPERM).
    await admin.acl('SETUSER', 'grouper', 'resetkeys', '~*:wb:*');
    let results;
    try {
      results = await Promise.all([put(20, { stock: 2 }), put(21, { stock: 2 }), put(22, { stock: 2 }), put(22, { stock: 3 }), put(23, { stock: 2 })]);
    } finally {
      await admin.acl('SETUSER', 'grouper', 'allkeys');
    }
    const [joined, ...refused] = results;
    expect(joined.statusCode).toBe(200);
    expect(joined.json<{ version: number }>().version).toBe(versions.get(20)! + 1);
    for (const res of refused) {
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json()).toMatchObject({ code: 'E_DEPENDENCY_UNAVAILABLE' });
    }

    // Undone: the refused rows read as before, and their next writes take the very versions the refused ones had.
    for (const id of [21, 22, 23]) expect(await versionOf(id)).toBe(versions.get(id));
    for (const id of [21, 22, 23]) {
      const res = await put(id, { stock: 4 });
      expect([res.statusCode, res.json<{ version: number }>().version]).toEqual([200, versions.get(id)! + 1]);
    }
    await flushWithAWorker();
    const rows = await shared.sql<{ id: string; version: number; stock: number }>(
      'SELECT id, version, stock FROM products WHERE id BETWEEN 20 AND 23 ORDER BY id',
    );
    expect(rows.map((row) => [Number(row.id), row.version, row.stock])).toEqual([
      [20, versions.get(20)! + 1, 2],
      [21, versions.get(21)! + 1, 4],
      [22, versions.get(22)! + 1, 4],
      [23, versions.get(23)! + 1, 4],
    ]);
  });
});
