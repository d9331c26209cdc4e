import type Redis from 'ioredis';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CACHE_BUS_SUBSCRIBER, MULTI_TIER_CACHE } from '../../src/cache/cache.tokens';
import type { MultiTierCache } from '../../src/cache/multi-tier.cache';
import { REDIS_CACHE_CLIENT } from '../../src/redis/redis.constants';
import { productBody } from '../support/problem-expectations';
import { SharedIsolation } from '../support/shared-isolation';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';

jest.setTimeout(30_000);

/**
 * L1 coherence across instances over the Redis pub/sub bus, with two
 * in-process app instances A and B sharing one schema and key prefix (as
 * pods share PostgreSQL and Redis). L1 stays fresh for 5 s (the default), so
 * only the bus can explain B seeing a change sooner:
 * - B holds product X in L1; A replaces X; within 100 ms B serves the new version;
 * - B's bus connection dropping and coming back (a TcpProxy in front of
 *   Redis for B only) clears B's L1, since B may have missed invalidations.
 */
describe('L1 invalidation bus (e2e)', () => {
  const shared = new SharedIsolation();
  let proxyB: TcpProxy;
  let a: TestApp;
  let b: TestApp;

  const read = (app: TestApp, id: number) => app.app.inject({ method: 'GET', url: `/products/${id}` });
  const versionOf = (res: { json<T>(): T }) => res.json<{ version: number }>().version;

  beforeAll(async () => {
    proxyB = await TcpProxy.start('127.0.0.1', 6379);
    const env = shared.env({ CACHE_JITTER_PERCENT: '0', REDIS_RETRY_MAX_DELAY_MS: '100' });
    // A migrates and seeds the shared schema; B starts on it.
    a = await startTestApp({ env });
    b = await startTestApp({ env: { ...env, REDIS_URL: `redis://127.0.0.1:${proxyB.port}` } });
  });

  afterAll(async () => {
    proxyB.restore();
    await b?.close();
    await a?.close();
    await proxyB.close();
    await shared.cleanup();
  });

  it('B serves the version A wrote within 100 ms, although B had the old one in L1', async () => {
    expect(versionOf(await read(b, 5))).toBe(1);
    const cached = await read(b, 5);
    expect({ tier: cached.headers['x-cache'], version: versionOf(cached) }).toEqual({ tier: 'L1', version: 1 });

    const put = await a.app.inject({ method: 'PUT', url: '/products/5', payload: productBody({ name: 'Written on A' }) });
    expect(put.statusCode).toBe(200);
    const writtenAt = performance.now();

    let seen = await read(b, 5);
    while (versionOf(seen) !== 2 && performance.now() - writtenAt < 1_000) {
      await sleep(5);
      seen = await read(b, 5);
    }
    const elapsedMs = performance.now() - writtenAt;
    expect(seen.json()).toMatchObject({ id: 5, version: 2, name: 'Written on A' });
    expect(seen.headers.etag).toBe('"2"');
    expect(elapsedMs).toBeLessThan(100);
    // Dropped from B's L1 by the bus and read from L2, where A wrote it.
    expect(seen.headers['x-cache']).toBe('L2');
  });

  it("B's own L1 is not dropped by its own writes' bus messages, and A drops X when B writes it", async () => {
    expect((await read(a, 6)).statusCode).toBe(200);
    expect((await read(a, 6)).headers['x-cache']).toBe('L1');
    const put = await b.app.inject({ method: 'PUT', url: '/products/6', payload: productBody({ name: 'Written on B' }) });
    expect(put.statusCode).toBe(200);
    // B reads its own write from L1, also after its own bus message has come back to it.
    await sleep(50);
    const own = await read(b, 6);
    expect({ tier: own.headers['x-cache'], version: versionOf(own) }).toEqual({ tier: 'L1', version: 2 });
    await waitFor(async () => versionOf(await read(a, 6)) === 2, 100, "A to see B's write");
  });

  it("a dropped and restored bus subscription clears B's L1: the next read of a key B had in L1 is not an L1 hit", async () => {
    const subscriber = b.app.get<Redis>(CACHE_BUS_SUBSCRIBER);
    const client = b.app.get<Redis>(REDIS_CACHE_CLIENT);
    const stats = b.app.get<MultiTierCache>(MULTI_TIER_CACHE).stats;
    for (const id of [7, 8]) {
      await read(b, id);
      expect((await read(b, id)).headers['x-cache']).toBe('L1');
    }
    const clearsBefore = stats.l1ClearsAfterBusGap;

    proxyB.cutAll();
    await waitFor(() => subscriber.status !== 'ready', 2_000, "B's bus connection to drop");
    // While cut off, B keeps serving what it has in L1.
    expect((await read(b, 7)).headers['x-cache']).toBe('L1');

    proxyB.restore();
    await waitFor(() => subscriber.status === 'ready' && client.status === 'ready', 5_000, 'B to reconnect');
    await waitFor(() => stats.l1ClearsAfterBusGap > clearsBefore, 1_000, 'B to clear L1 after the gap');

    for (const id of [7, 8]) {
      const res = await read(b, id);
      expect({ status: res.statusCode, tier: res.headers['x-cache'] }).toEqual({ status: 200, tier: 'L2' });
    }

    // B subscribed again after the gap (its own re-subscription; ioredis's is off): A's next write reaches B's L1.
    expect((await read(b, 7)).headers['x-cache']).toBe('L1');
    const put = await a.app.inject({ method: 'PUT', url: '/products/7', payload: productBody({ name: 'Written on A after the gap' }) });
    expect(put.statusCode).toBe(200);
    await waitFor(async () => (await read(b, 7)).json<{ name: string }>().name === 'Written on A after the gap', 1_000, 'B to drop 7 from L1 after the gap');
  });
});
