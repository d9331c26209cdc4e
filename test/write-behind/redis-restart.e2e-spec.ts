import { Queue } from 'bullmq';
import { bullPrefix } from '../../src/redis';
import type Redis from 'ioredis';
import { CACHE_BUS_SUBSCRIBER } from '../../src/cache/cache.tokens';
import { REDIS_CACHE_CLIENT } from '../../src/redis/redis.constants';
import { WRITE_BEHIND_QUEUE_CONNECTION } from '../../src/write-behind/write-behind.constants';
import { productBody } from '../support/problem-expectations';
import { SharedIsolation } from '../support/shared-isolation';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';
import { ThrowawayRedis } from '../support/redis-server';

jest.setTimeout(60_000);

/**
 * The queue's Redis (a throwaway redis-server with an append-only file) dies
 * and restarts:
 * - jobs waiting when it died (written by an API-only pod, no worker yet)
 *   survive the restart and flush once a worker runs;
 * - a worker that was running through a second crash resumes by itself and
 *   flushes the writes made after it;
 * - while Redis is down, writes get 503 + Retry-After in `reject` mode (nothing
 *   kept), and land in PostgreSQL directly in `sync` mode.
 */
describe('write-behind: Redis restart (e2e)', () => {
  const shared = new SharedIsolation();
  let redis: ThrowawayRedis;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    redis = await ThrowawayRedis.start({ appendOnly: true });
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await shared.cleanup(redis.url);
    await redis.stop();
  });

  const start = async (env: Record<string, string>) => {
    const app = await startTestApp({ env: shared.env({ REDIS_URL: redis.url, REDIS_RETRY_MAX_DELAY_MS: '200', ...env }) });
    apps.push(app);
    return app;
  };
  /**
   * Every app's Redis connections are back (the cache bus has re-subscribed): killing Redis again
   * while a client is half-way through reconnecting makes ioredis reject its resubscribe unhandled.
   */
  const allConnected = async () => {
    await waitFor(
      () =>
        apps.every((app) =>
          [REDIS_CACHE_CLIENT, CACHE_BUS_SUBSCRIBER, WRITE_BEHIND_QUEUE_CONNECTION].every((token) => app.app.get<Redis>(token).status === 'ready'),
        ),
      10_000,
      'every app to reconnect to Redis',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
  };
  const create = (app: TestApp, name: string) => app.app.inject({ method: 'POST', url: '/products', payload: productBody({ name }) });
  const rowsNamed = async (prefix: string) =>
    (await shared.sql<{ name: string }>('SELECT name FROM products WHERE name LIKE $1 ORDER BY id', [`${prefix}%`])).map((r) => r.name);

  it('waiting jobs survive a crash of an appendonly Redis; a running worker resumes by itself after another one', async () => {
    const api = await start({ APP_ROLE: 'api' });
    for (let i = 0; i < 10; i++) expect((await create(api, `Before crash ${i}`)).statusCode).toBe(201);
    const queue = new Queue('wb-products', {
      connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 },
      prefix: bullPrefix(shared.keyPrefix, 'wb-products'),
    });
    queue.on('error', () => undefined);
    try {
      expect(await queue.getWaitingCount()).toBe(10);
      await redis.kill();
      await redis.restart();
      await waitFor(async () => (await queue.getWaitingCount().catch(() => -1)) === 10, 10_000, 'the queue after the restart');
    } finally {
      await queue.close();
    }
    expect(await rowsNamed('Before crash')).toEqual([]);

    const worker = await start({ APP_ROLE: 'worker' });
    await writesFlushed(worker.app);
    expect(await rowsNamed('Before crash')).toHaveLength(10);

    // Second crash with the worker running: it reconnects by itself and takes the new jobs.
    await allConnected();
    await redis.kill();
    await redis.restart();
    await waitFor(async () => (await create(api, 'After restart 0')).statusCode === 201, 10_000, 'the API to write again');
    for (let i = 1; i < 5; i++) expect((await create(api, `After restart ${i}`)).statusCode).toBe(201);
    await waitFor(async () => (await rowsNamed('After restart')).length === 5, 15_000, 'the resumed worker to flush');
  });

  it('Redis down: reject mode answers 503 + Retry-After and keeps nothing; sync mode writes straight to PostgreSQL', async () => {
    const reject = apps[0];
    const sync = await start({ APP_ROLE: 'api', WRITE_BEHIND_REDIS_DOWN_MODE: 'sync' });
    await allConnected();
    await redis.kill();
    try {
      await waitFor(async () => (await create(reject, 'Rejected')).statusCode === 503, 5_000, 'reject mode to answer 503');
      const res = await create(reject, 'Rejected');
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toMatchObject({ status: 503, code: 'E_DEPENDENCY_UNAVAILABLE' });

      const written = await create(sync, 'Synchronous');
      expect(written.statusCode).toBe(201);
      const { id } = written.json<{ id: number }>();
      expect(await shared.sql('SELECT name, version FROM products WHERE id = $1', [id])).toEqual([{ name: 'Synchronous', version: 1 }]);
      const put = await sync.app.inject({
        method: 'PUT',
        url: `/products/${id}`,
        headers: { 'if-match': '"1"' },
        payload: productBody({ name: 'Synchronous 2' }),
      });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toMatchObject({ version: 2 });
      const stale = await sync.app.inject({ method: 'PUT', url: `/products/${id}`, headers: { 'if-match': '"1"' }, payload: productBody() });
      expect(stale.statusCode).toBe(409);
    } finally {
      await redis.restart();
    }
    await allConnected();
    expect(await rowsNamed('Rejected')).toEqual([]);
  });

  it('after Redis returns, rows written in sync mode are known to the Redis path: their version, their SKU', async () => {
    const [reject, , sync] = apps;
    await allConnected();
    await redis.kill();
    let id: number;
    let sku: string;
    try {
      await waitFor(async () => (await create(sync, 'Written around').then((r) => r.statusCode)) === 201, 5_000, 'a sync write');
      const [row] = await shared.sql<{ id: string; sku: string; version: number }>(
        "SELECT id, sku, version FROM products WHERE name = 'Written around' ORDER BY id DESC LIMIT 1",
      );
      id = Number(row.id);
      sku = row.sku;
      const put = await sync.app.inject({ method: 'PUT', url: `/products/${id}`, payload: productBody({ sku, name: 'Written around 2' }) });
      expect(put.json()).toMatchObject({ version: 2 });
    } finally {
      await redis.restart();
    }
    await allConnected();
    // Through Redis (the other pod): the row exists at version 2, and its SKU is taken.
    await waitFor(
      async () =>
        (
          await reject.app.inject({
            method: 'PUT',
            url: `/products/${id}`,
            headers: { 'if-match': '"2"' },
            payload: productBody({ sku, name: 'After repair' }),
          })
        ).statusCode === 200,
      5_000,
      'the repaired row to take a write through Redis',
    );
    const duplicate = await create(reject, 'Same SKU').then(() => reject.app.inject({ method: 'POST', url: '/products', payload: productBody({ sku }) }));
    expect(duplicate.statusCode).toBe(409);
    await writesFlushed(apps[1].app);
    await waitFor(async () => (await shared.sql('SELECT 1 FROM products WHERE id = $1 AND version = 3', [id])).length === 1, 10_000, 'version 3 to land');
    expect(await shared.sql('SELECT name, version FROM products WHERE id = $1', [id])).toEqual([{ name: 'After repair', version: 3 }]);
  });
});
