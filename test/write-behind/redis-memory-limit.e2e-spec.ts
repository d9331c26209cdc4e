import Redis from 'ioredis';
import { SharedIsolation } from '../support/shared-isolation';
import { startTestApp, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';
import { ThrowawayRedis } from '../support/redis-server';

jest.setTimeout(60_000);

const KEYS = 50;

/**
 * The queue's Redis at its memory limit with `maxmemory-policy noeviction`
 * (what BullMQ requires): Redis refuses every command that may add data,
 * scripts included. The write path's check-and-record script is refused,
 * so writes answer 503 + Retry-After and nothing is half-written; reads go
 * on (cache fills fail quietly). Writes acknowledged before the limit stay
 * queued; once memory is given back they land, and new writes are accepted.
 */
describe('write-behind: queue Redis at its memory limit (e2e)', () => {
  const shared = new SharedIsolation();
  let redis: ThrowawayRedis;
  let admin: Redis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    admin = new Redis(redis.url);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    t = await startTestApp({ env: shared.env({ REDIS_URL: redis.url, APP_ROLE: 'api', CATALOG_SEED_COUNT: String(KEYS) }) });
  });
  afterAll(async () => {
    await t?.close();
    admin?.disconnect();
    await shared.cleanup(redis.url);
    await redis.stop();
  });

  const put = (id: number, stock: number) =>
    t.app.inject({
      method: 'PUT',
      url: `/products/${id}`,
      payload: { sku: `DEMO-${String(id).padStart(7, '0')}`, name: 'Memory', priceMinor: 1, currency: 'EUR', stock },
    });

  it('at the limit writes are refused with 503 and nothing is lost; after memory is given back everything acknowledged lands', async () => {
    // Acknowledged while there is room: queued (no worker runs in this API-only app).
    const acked = new Map<number, number>();
    for (let id = 1; id <= KEYS; id++) {
      const res = await put(id, id);
      expect(res.statusCode).toBe(200);
      acked.set(id, res.json<{ version: number }>().version);
    }

    const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
    await admin.config('SET', 'maxmemory', String(Math.floor(used / 2)));

    const refused = await put(1, 999);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.json()).toMatchObject({ code: 'E_DEPENDENCY_UNAVAILABLE' });
    // The read model still has the acknowledged state, not the refused write.
    const read = await t.app.inject({ method: 'GET', url: '/products/1' });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ stock: 1, version: acked.get(1) });

    await admin.config('SET', 'maxmemory', '0');
    const worker = await startTestApp({ env: shared.env({ REDIS_URL: redis.url, APP_ROLE: 'worker', CATALOG_SEED_COUNT: String(KEYS) }) });
    try {
      await writesFlushed(worker.app, 20_000);
    } finally {
      await worker.close();
    }
    const rows = await shared.sql<{ id: string; version: number; stock: number }>('SELECT id, version, stock FROM products WHERE id <= $1 ORDER BY id', [KEYS]);
    expect(rows.map((row) => [Number(row.id), row.version, row.stock])).toEqual([...acked].map(([id, version]) => [id, version, id]));
    expect((await put(1, 1000)).statusCode).toBe(200);
  });
});
