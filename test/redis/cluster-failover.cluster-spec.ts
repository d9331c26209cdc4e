import calculateSlot from 'cluster-key-slot';
import Redis from 'ioredis';
import { FeatureSwitches } from '../../src/degradation/feature-switches.service';
import { productBody } from '../support/problem-expectations';
import { ThrowawayRedisCluster } from '../support/redis-cluster';
import { SharedIsolation } from '../support/shared-isolation';
import { waitFor, type TestApp } from '../support/test-app';

/**
 * Sharded pub/sub through a failover, on a cluster of its own (the project's shared one is left
 * alone): the primary that owns the cache bus's channel is SIGKILLed, its replica takes over, and
 * ioredis moves the sharded subscribers of both pods to it. After that a write on A still drops B's
 * L1 copy, and a switch override set on A is in force on B: the subscriptions came back without a
 * restart (`subscribeOnReady` on a cluster).
 */
describe('sharded pub/sub across a primary failover (e2e, own cluster)', () => {
  const shared = new SharedIsolation();
  const auth = { authorization: 'Bearer failover-admin-token' };
  let cluster: ThrowawayRedisCluster;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    // Two replicas each: the promoted replica keeps one, which confirms writes (REDIS_QUEUE_MIN_REPLICAS is 1 on a cluster).
    cluster = await ThrowawayRedisCluster.start({ replicas: 2 });
    [a, b] = await shared.startApps(2, {
      CACHE_JITTER_PERCENT: '0',
      // Longer than the test: only the gap after the failover clears B's L1.
      CACHE_L1_TTL_MS: '60000',
      ADMIN_TOKEN: 'failover-admin-token',
      REDIS_CLUSTER_NODES: cluster.nodesVar,
      REDIS_RETRY_MAX_DELAY_MS: '200',
    });
  });

  afterAll(async () => {
    await shared.cleanup();
    await cluster?.stop();
  });

  /** The port of the primary that owns `key`'s slot now. */
  async function ownerOf(key: string): Promise<number> {
    const client = new Redis(cluster.anyRunning(), '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      const slot = calculateSlot(key);
      const ranges = (await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`no owner of slot ${slot}`);
      return range[2][1];
    } finally {
      client.disconnect();
    }
  }

  it('after the bus primary is killed and replaced, invalidations and switch overrides still reach the other pod', async () => {
    const busChannel = `${shared.keyPrefix}cache:bus`;
    await b.app.inject({ method: 'GET', url: '/products/7' });
    expect((await b.app.inject({ method: 'GET', url: '/products/7' })).headers['x-cache']).toBe('L1');
    const victim = await ownerOf(busChannel);
    await cluster.nodes.find((node) => node.port === victim)!.kill();
    await waitFor(async () => (await ownerOf(busChannel).catch(() => victim)) !== victim, 20_000, 'a replica promoted');

    // Writes may answer 503 until both pods have found the new owners of their slots.
    await waitFor(
      async () => (await a.app.inject({ method: 'PUT', url: '/products/5', payload: productBody({ name: 'after failover' }) })).statusCode === 200,
      20_000,
      'a write through A',
    );
    // B may have missed messages while its subscription moved: once it is confirmed again, B's L1 is cleared.
    await waitFor(
      async () => (await b.app.inject({ method: 'GET', url: '/products/7' })).headers['x-cache'] !== 'L1',
      5_000,
      'B to clear its L1 after the gap',
    );
    // B keeps a copy of product 5 in L1 (an invalidation of the write above may still reach it late: read until it holds).
    await waitFor(async () => (await b.app.inject({ method: 'GET', url: '/products/5' })).headers['x-cache'] === 'L1', 5_000, "B's L1 copy of product 5");
    const before = (await b.app.inject({ method: 'GET', url: '/products/5' })).json<{ version: number }>().version;

    await waitFor(
      async () => (await a.app.inject({ method: 'PUT', url: '/products/5', payload: productBody({ name: 'seen on B' }) })).statusCode === 200,
      5_000,
      'a second write through A',
    );
    await waitFor(
      async () => (await b.app.inject({ method: 'GET', url: '/products/5' })).json<{ version: number }>().version > before,
      1_000,
      "B to drop its L1 copy (the bus came back on B's subscriber)",
    );

    const set = await a.app.inject({ method: 'PUT', url: '/admin/switches/recommendations', headers: auth, payload: { state: 'off' } });
    expect(set.statusCode).toBeLessThan(300);
    await waitFor(() => b.app.get(FeatureSwitches).state('recommendations') === 'off', 2_000, 'the override on B');
  });
});
