import Redis from 'ioredis';
import { getJobProducerToken, type JobProducer } from '../../src/jobs';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';
import { ThrowawayRedis } from '../support/redis-server';
import { SharedIsolation } from '../support/shared-isolation';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';

jest.setTimeout(60_000);

const WAIT_TIMEOUT_MS = 300;

/**
 * REDIS_QUEUE_MIN_REPLICAS on a standalone queue Redis with one replica: a
 * write is acknowledged only once the replica holds it, and workers flush only
 * what the replica holds. While the replica is cut off (frozen, its link
 * killed) writes answer 503 within the WAIT timeout and job adds fail with
 * 503; nothing reaches PostgreSQL meanwhile. Such a 503 write is kept (its
 * outcome is unknown to the client, as for a timeout): once the replica is
 * back it lands, and the row's next write takes the version after it.
 */
describe('replica acknowledgement of writes (e2e)', () => {
  const shared = new SharedIsolation();
  let primary: ThrowawayRedis;
  let replica: ThrowawayRedis;
  let admin: Redis;
  let t: TestApp;

  beforeAll(async () => {
    primary = await ThrowawayRedis.start({ args: ['--maxmemory-policy', 'noeviction', '--repl-diskless-sync-delay', '0'] });
    replica = await ThrowawayRedis.start({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    admin = new Redis(primary.url);
    await waitFor(async () => /^slave0:.*state=online/m.test(await admin.info('replication')), 10_000, 'the replica');
    t = await startTestApp({
      env: shared.env({
        REDIS_QUEUE_URL: primary.url,
        REDIS_QUEUE_MIN_REPLICAS: '1',
        REDIS_QUEUE_WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS),
        APP_ROLE: 'all',
        CATALOG_SEED_COUNT: '5',
      }),
    });
  });
  afterAll(async () => {
    replica?.resume();
    await t?.close();
    admin?.disconnect();
    await shared.cleanup();
    await primary?.stop();
    await replica?.stop();
  });

  const put = (stock: number, version?: number) =>
    t.app.inject({
      method: 'PUT',
      url: '/products/1',
      payload: { sku: 'DEMO-0000001', name: 'Replicated', priceMinor: 1, currency: 'EUR', stock, ...(version ? { version } : {}) },
    });

  it('acknowledges only what the replica holds; workers flush only that; all lands once the replica is back', async () => {
    const ok = await put(1);
    expect(ok.statusCode).toBe(200);
    const acked = ok.json<{ version: number }>().version;
    await writesFlushed(t.app, 10_000);

    replica.pause();
    await admin.client('KILL', 'TYPE', 'replica');
    try {
      const started = performance.now();
      const refused = await put(2);
      const ms = performance.now() - started;
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.headers['retry-after']).toBeDefined();
      expect(refused.json()).toMatchObject({ code: 'E_DEPENDENCY_UNAVAILABLE', detail: expect.stringContaining('not confirmed by the queue Redis replicas') });
      expect(ms).toBeGreaterThanOrEqual(WAIT_TIMEOUT_MS - 5);
      expect(ms).toBeLessThan(WAIT_TIMEOUT_MS + 1_500);
      expect(t.app.get(WriteBehindRegistry).get('products')!.stats.counters.unconfirmed).toBe(1);
      // A job add waits for the replica too.
      const jobs = t.app.get<JobProducer<unknown>>(getJobProducerToken('product-events'), { strict: false });
      await expect(jobs.add('replica-wait:1:v1', { id: 1, version: 1, kind: 'updated' })).rejects.toMatchObject({ status: 503 });
      // The workers hold the unconfirmed write back: PostgreSQL still has the acknowledged one.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const [during] = await shared.sql<{ version: number; stock: number }>('SELECT version, stock FROM products WHERE id = 1');
      expect(during).toEqual({ version: acked, stock: 1 });
    } finally {
      replica.resume();
    }

    await waitFor(async () => /^slave0:.*state=online/m.test(await admin.info('replication')), 10_000, 'the replica to reconnect');
    // The 503 write was kept: it lands, and the next write of the row takes the version after it.
    const again = await put(3);
    expect(again.statusCode).toBe(200);
    const final = again.json<{ version: number }>().version;
    expect(final).toBe(acked + 2);
    await writesFlushed(t.app, 20_000);
    const [row] = await shared.sql<{ version: number; stock: number }>('SELECT version, stock FROM products WHERE id = 1');
    expect(row).toEqual({ version: final, stock: 3 });
  });
});
