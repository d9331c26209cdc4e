import Redis from 'ioredis';
import { dropIsolation } from '../support/test-app';
import { spawnApp, get, type AppProcess } from '../support/app-process';
import { ThrowawayRedis } from '../support/redis-server';
import { scanKeys } from '../support/redis-keys';
import { TEST_REDIS_URL } from '../support/services';
import { SharedIsolation, stopProcess } from '../support/shared-isolation';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';

jest.setTimeout(90_000);

/** A description of about 3.5 KB: a few hundred products overfill a 2 MB cache Redis. */
const LONG = 'Overfilling the cache Redis, on purpose. '.repeat(85);

/** Evicted keys so far (INFO stats) of the server on `url`. */
async function evictedKeys(redis: Redis): Promise<number> {
  return Number(/^evicted_keys:(\d+)/m.exec(await redis.info('stats'))?.[1]);
}

/**
 * The cache role and the queue role on two Redis, as production runs them:
 * the cache one evicts (`maxmemory 2mb`, `allkeys-lru`), the queue one never
 * does (`noeviction`, AOF). REDIS_URL points at the shared Redis, which
 * nothing may then touch: every connection goes through its role.
 */
describe('Redis roles: cache Redis apart from the queue Redis (e2e)', () => {
  let cache: ThrowawayRedis;
  let queue: ThrowawayRedis;
  let cacheAdmin: Redis;
  let queueAdmin: Redis;
  const shared = new SharedIsolation();

  beforeAll(async () => {
    cache = await ThrowawayRedis.start({ args: ['--maxmemory', '2mb', '--maxmemory-policy', 'allkeys-lru'] });
    queue = await ThrowawayRedis.start({ appendOnly: true, args: ['--maxmemory-policy', 'noeviction'] });
    cacheAdmin = new Redis(cache.url);
    queueAdmin = new Redis(queue.url);
  });
  afterAll(async () => {
    cacheAdmin?.disconnect();
    queueAdmin?.disconnect();
    await shared.cleanup();
    await cache?.stop();
    await queue?.stop();
  });

  describe('a load that overfills the cache Redis', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        env: shared.env({ REDIS_URL: TEST_REDIS_URL, REDIS_CACHE_URL: cache.url, REDIS_QUEUE_URL: queue.url, APP_ROLE: 'all', CATALOG_SEED_COUNT: '20' }),
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('evicts cache entries only: every acknowledged write lands in PostgreSQL with its value and version', async () => {
      const acked = new Map<number, { version: number; stock: number }>();
      const write = async (i: number): Promise<void> => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/products',
          payload: { sku: `ROLE-${i}`, name: `Role ${i}`, description: LONG, priceMinor: 100, currency: 'EUR', stock: i },
        });
        expect(res.statusCode).toBe(201);
        const { id, version } = res.json<{ id: number; version: number }>();
        acked.set(id, { version, stock: i });
        // A read fills L2 (the cache Redis) with the 3.5 KB body.
        expect((await t.app.inject({ method: 'GET', url: `/products/${id}` })).statusCode).toBe(200);
      };
      for (let i = 0; i < 800; i += 20) await Promise.all(Array.from({ length: 20 }, (_, k) => write(i + k)));
      // Then an update of each: versions move on, the cache is overfilled a second time.
      for (const [id, row] of [...acked].slice(0, 300)) {
        const res = await t.app.inject({
          method: 'PUT',
          url: `/products/${id}`,
          payload: { sku: `ROLE-${row.stock}`, name: 'Updated', description: LONG, priceMinor: 1, currency: 'EUR', stock: row.stock + 1, version: row.version },
        });
        expect(res.statusCode).toBe(200);
        acked.set(id, { version: res.json<{ version: number }>().version, stock: row.stock + 1 });
      }

      expect(await evictedKeys(cacheAdmin)).toBeGreaterThan(0);
      expect(await evictedKeys(queueAdmin)).toBe(0);
      // The write state and the queues are in the queue Redis, the L2 entries in the cache Redis, nothing in the shared one.
      expect((await scanKeys(queueAdmin, `${t.keyPrefix}wb:{products}:*`)).length).toBeGreaterThan(0);
      expect((await scanKeys(queueAdmin, `${t.keyPrefix}bull:*`)).length).toBeGreaterThan(0);
      expect((await scanKeys(cacheAdmin, `${t.keyPrefix}wb:*`)).length).toBe(0);
      expect((await scanKeys(cacheAdmin, `${t.keyPrefix}bull:*`)).length).toBe(0);
      const sharedRedis = new Redis(TEST_REDIS_URL);
      try {
        expect(await scanKeys(sharedRedis, `${t.keyPrefix}*`)).toEqual([]);
      } finally {
        sharedRedis.disconnect();
      }

      await writesFlushed(t.app, 30_000);
      const rows = await shared.sql<{ id: string; version: number; stock: number }>('SELECT id, version, stock FROM products WHERE sku LIKE $1', ['ROLE-%']);
      const landed = new Map(rows.map((row) => [Number(row.id), { version: row.version, stock: row.stock }]));
      expect(landed.size).toBe(acked.size);
      expect(landed).toEqual(acked);
      // Reads still answer (from L2 where it kept the entry, else PostgreSQL).
      const [someId] = acked.keys();
      expect((await t.app.inject({ method: 'GET', url: `/products/${someId}` })).statusCode).toBe(200);
    });

    it('/health/ready shows both Redis, and the queue one without a warning', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
      const redis = res.json<{ details: { redis: Record<string, Record<string, unknown>> } }>().details.redis;
      expect(redis).toMatchObject({
        status: 'up',
        cache: { status: 'up', endpoint: cache.url },
        queue: { status: 'up', endpoint: queue.url, maxmemoryPolicy: 'noeviction' },
      });
      expect(redis.queue.warning).toBeUndefined();
    });
  });

  it('a queue Redis with an evicting policy: a warning at boot and in /health/ready, and the app serves', async () => {
    // The cache Redis (allkeys-lru) as the queue Redis: what a shared, evicting Redis would be.
    const app = await spawnApp({ REDIS_QUEUE_URL: cache.url, REDIS_CACHE_URL: cache.url, LOG_LEVEL: 'warn', APP_ROLE: 'api' });
    try {
      await waitFor(async () => (await get(`${app.url}/health/ready`)).status === 200, 30_000, 'the app to be ready');
      await waitFor(() => app.output().includes('allkeys-lru'), 5_000, 'the boot warning');
      expect(app.output()).toMatch(/queue Redis: its maxmemory-policy is allkeys-lru, not noeviction/);
      const ready = JSON.parse((await get(`${app.url}/health/ready`)).body) as { status: string; details: { redis: Record<string, unknown> } };
      expect(ready.details.redis).toMatchObject({ status: 'up', maxmemoryPolicy: 'allkeys-lru', warning: expect.stringContaining('not noeviction') });
      expect(ready.status).toBe('ok');
    } finally {
      await stopProcess(app);
      await dropIsolation(app.schema, app.keyPrefix);
    }
  });

  it('with REDIS_QUEUE_REQUIRE_NOEVICTION=true it refuses to start (exit 1, one clear message); with noeviction it starts', async () => {
    const refused = await spawnApp({ REDIS_QUEUE_URL: cache.url, REDIS_QUEUE_REQUIRE_NOEVICTION: 'true', LOG_LEVEL: 'warn' });
    try {
      expect(await exitCode(refused)).toBe(1);
      expect(refused.output()).toContain('The queue Redis must not evict (REDIS_QUEUE_REQUIRE_NOEVICTION=true): its maxmemory-policy is allkeys-lru');
      expect(refused.output()).not.toMatch(/\n\s+at /);
    } finally {
      await stopProcess(refused);
      await dropIsolation(refused.schema, refused.keyPrefix);
    }
    const started = await spawnApp({ REDIS_QUEUE_URL: queue.url, REDIS_QUEUE_REQUIRE_NOEVICTION: 'true', APP_ROLE: 'api' });
    try {
      await waitFor(async () => (await get(`${started.url}/health/ready`)).status === 200, 30_000, 'the app to be ready');
    } finally {
      await stopProcess(started);
      await dropIsolation(started.schema, started.keyPrefix);
      await deleteUnder(queueAdmin, started.keyPrefix);
    }
  });

  it('CONFIG disabled on the queue Redis: the policy is read from INFO; neither answering: "unknown", refused with the flag', async () => {
    const locked = await ThrowawayRedis.start({ args: ['--maxmemory-policy', 'noeviction', '--rename-command', 'CONFIG', ''] });
    try {
      const app = await spawnApp({ REDIS_QUEUE_URL: locked.url, REDIS_CACHE_URL: cache.url, REDIS_QUEUE_REQUIRE_NOEVICTION: 'true', APP_ROLE: 'api' });
      try {
        await waitFor(async () => (await get(`${app.url}/health/ready`)).status === 200, 30_000, 'the app to be ready');
        const ready = JSON.parse((await get(`${app.url}/health/ready`)).body) as { details: { redis: { queue: Record<string, unknown> } } };
        expect(ready.details.redis.queue).toMatchObject({ maxmemoryPolicy: 'noeviction' });
      } finally {
        await stopProcess(app);
        await dropIsolation(app.schema, app.keyPrefix);
      }
      // A user that may run neither CONFIG (renamed away) nor INFO (ACL): the policy cannot be read.
      const admin = new Redis(locked.url);
      try {
        await admin.call('ACL', 'SETUSER', 'no-info', 'on', 'nopass', '~*', '&*', '+@all', '-info');
      } finally {
        admin.disconnect();
      }
      const refused = await spawnApp({
        REDIS_QUEUE_URL: locked.url.replace('redis://', 'redis://no-info@'),
        REDIS_CACHE_URL: cache.url,
        REDIS_QUEUE_REQUIRE_NOEVICTION: 'true',
      });
      try {
        expect(await exitCode(refused)).toBe(1);
        expect(refused.output()).toContain('its maxmemory-policy could not be read');
      } finally {
        await stopProcess(refused);
        await dropIsolation(refused.schema, refused.keyPrefix);
      }
    } finally {
      await locked.stop();
    }
  });
});

/** The exit code of a process expected to refuse to start, or `running` if it is still up after 20 s. */
function exitCode(app: AppProcess): Promise<number | string> {
  return Promise.race([app.exited, new Promise<string>((resolve) => setTimeout(() => resolve('running'), 20_000).unref())]);
}

async function deleteUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await scanKeys(redis, `${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
}
