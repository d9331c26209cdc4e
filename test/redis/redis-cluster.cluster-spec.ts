import calculateSlot from 'cluster-key-slot';
import Redis, { type Cluster } from 'ioredis';
import { createEntry } from '../../src/cache/cache-entry.codec';
import { L2_NAMESPACE, RedisL2Store } from '../../src/cache/redis-l2.store';
import { createRedisClient } from '../../src/redis/redis.client';
import { isCluster, slotKey } from '../../src/redis';
import { redisConfigFor } from '../support/redis-config';
import { scanKeys } from '../support/redis-keys';
import { TEST_REDIS_CLUSTER_NODES } from '../support/services';
import { productBody } from '../support/problem-expectations';
import { SharedIsolation } from '../support/shared-isolation';
import { isolationId, startTestApp, waitFor, type TestApp } from '../support/test-app';
import { FeatureSwitches } from '../../src/degradation/feature-switches.service';

// What only a Redis Cluster shows, on the e2e-cluster project's throwaway cluster: batch reads
// per slot and per node, clear() on every primary, the app's keys in the slots their hash tags
// name, health and the eviction policy of every primary. The other suites of the project run the
// same e2e tests as standalone (jest.config.js, CLUSTER_SUITES).

const prefix = `bulwark:test:${isolationId()}:`;
const config = redisConfigFor('redis://127.0.0.1:6379', { REDIS_KEY_PREFIX: prefix, REDIS_CLUSTER_NODES: TEST_REDIS_CLUSTER_NODES });

let cluster: Cluster;
/** One plain connection per primary, outside the counted client: for INFO commandstats. */
let primaries: Redis[];

/** Calls of each command on `node` since start (`INFO commandstats`). */
async function commandCalls(node: Redis): Promise<Record<string, number>> {
  const info = await node.info('commandstats');
  return Object.fromEntries([...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map(([, name, calls]) => [name, Number(calls)]));
}

beforeAll(async () => {
  const client = createRedisClient(config, 'cache', 'cluster-test');
  if (!isCluster(client)) throw new Error('REDIS_CLUSTER_NODES did not make a Cluster client');
  cluster = client;
  await waitFor(() => cluster.status === 'ready', 10_000, 'the cluster client');
  primaries = cluster.nodes('master').map((node) => new Redis(node.options.port ?? 0, node.options.host ?? '', { maxRetriesPerRequest: 1 }));
  expect(primaries).toHaveLength(3);
});

afterAll(async () => {
  const leftovers = await scanKeys(cluster, `${prefix}*`);
  for (const key of leftovers) await cluster.unlink(key);
  cluster.disconnect();
  primaries.forEach((node) => node.disconnect());
});

describe('L2 on a Redis Cluster', () => {
  const keys = Array.from({ length: 100 }, (_, i) => `product:${i}`);
  const store = () => new RedisL2Store(cluster, { keyPrefix: prefix, timeoutMs: 2_000 });
  const value = (i: number) => createEntry(Buffer.from(`v${i}`), Date.now() + 60_000, Date.now() + 120_000, false, []);

  it('a batch read of 100 keys is one MGET per slot in one pipeline per primary, in request order', async () => {
    const l2 = store();
    await l2.setMany(keys.map((key, i) => ({ key, entry: value(i), ttlMs: 60_000 })));
    const pipelines = jest.spyOn(cluster, 'pipeline');
    const before = await Promise.all(primaries.map(commandCalls));

    const read = await l2.getMany(keys);

    const after = await Promise.all(primaries.map(commandCalls));
    expect(read.map((entry) => entry?.body.toString())).toEqual(keys.map((_, i) => `v${i}`));
    expect(pipelines.mock.calls.length).toBeLessThanOrEqual(primaries.length);
    pipelines.mockRestore();
    const delta = (name: string) => after.map((calls, i) => (calls[name] ?? 0) - (before[i][name] ?? 0));
    // Each key has its own hash tag (`<prefix>cache:{<key>}`): one MGET per slot, never a GET per key.
    const slots = new Set(keys.map((key) => calculateSlot(slotKey(prefix + L2_NAMESPACE, key))));
    expect(delta('mget').reduce((a, b) => a + b, 0)).toBe(slots.size);
    expect(delta('get')).toEqual([0, 0, 0]);
    expect(delta('mget').every((calls) => calls > 0)).toBe(true);
  });

  it('clear() deletes the namespace on every primary, nothing else', async () => {
    const l2 = store();
    await l2.setMany(keys.map((key, i) => ({ key, entry: value(i), ttlMs: 60_000 })));
    await cluster.set(`${prefix}outside`, 'kept');
    const perPrimary = await Promise.all(primaries.map((node) => scanKeys(node, `${prefix}${L2_NAMESPACE}*`)));
    expect(perPrimary.every((found) => found.length > 0)).toBe(true);

    await l2.clear();

    expect(await scanKeys(cluster, `${prefix}${L2_NAMESPACE}*`)).toEqual([]);
    expect(await cluster.get(`${prefix}outside`)).toBe('kept');
  });
});

describe('the app on a Redis Cluster', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is ready, reports the cluster, and reads the eviction policy of every primary', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    // The throwaway cluster's nodes keep Redis's default policy, noeviction.
    expect(ready.json()).toMatchObject({ info: { redis: { status: 'up', maxmemoryPolicy: 'noeviction' } } });
  });

  it('keeps the write state of an entity and each BullMQ queue in one slot, named by their hash tags', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/products',
      payload: { sku: 'CLUSTER-1', name: 'on a cluster', priceMinor: 100, currency: 'EUR', stock: 1, tags: [] },
    });
    expect(created.statusCode).toBe(201);
    const found = await scanKeys(cluster, `${t.keyPrefix}*`);
    const state = found.filter((key) => key.startsWith(`${t.keyPrefix}wb:{products}:`));
    const queue = found.filter((key) => key.startsWith(`${t.keyPrefix}bull:{wb-products}:`));
    expect(state.length).toBeGreaterThan(0);
    expect(queue.length).toBeGreaterThan(0);
    expect(new Set([...state].map((key) => calculateSlot(key))).size).toBe(1);
    expect(new Set([...queue].map((key) => calculateSlot(key))).size).toBe(1);
    await waitFor(async () => (await t.sql(`SELECT 1 FROM products WHERE sku = 'CLUSTER-1'`)).length === 1, 15_000, 'the row in PostgreSQL');
  });
});

describe('two pods on a Redis Cluster: sharded pub/sub', () => {
  const shared = new SharedIsolation();
  const auth = { authorization: 'Bearer cluster-admin-token' };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    [a, b] = await shared.startApps(2, { CACHE_JITTER_PERCENT: '0', ADMIN_TOKEN: 'cluster-admin-token' });
  });

  afterAll(() => shared.cleanup());

  it("the cache bus drops B's L1 copy of what A wrote before A answers (SSUBSCRIBE, acknowledged)", async () => {
    await b.app.inject({ method: 'GET', url: '/products/5' });
    expect((await b.app.inject({ method: 'GET', url: '/products/5' })).headers['x-cache']).toBe('L1');

    const put = await a.app.inject({ method: 'PUT', url: '/products/5', payload: productBody({ name: 'Written on A' }) });
    expect(put.statusCode).toBe(200);

    // A answered only once B acknowledged: B's next read is past its L1.
    const seen = await b.app.inject({ method: 'GET', url: '/products/5' });
    expect(seen.json()).toMatchObject({ id: 5, version: 2, name: 'Written on A' });
    expect(seen.headers['x-cache']).toBe('L2');
  });

  it('a switch override set on A (MULTI: HSET + SPUBLISH in one slot) is in force on B', async () => {
    const set = await a.app.inject({ method: 'PUT', url: '/admin/switches/recommendations', headers: auth, payload: { state: 'off' } });
    expect(set.statusCode).toBeLessThan(300);
    await waitFor(() => b.app.get(FeatureSwitches).state('recommendations') === 'off', 1_000, 'the override on B');
    const cleared = await a.app.inject({ method: 'DELETE', url: '/admin/switches/recommendations', headers: auth });
    expect(cleared.statusCode).toBeLessThan(300);
    await waitFor(() => b.app.get(FeatureSwitches).state('recommendations') === 'on', 1_000, 'the override gone on B');
  });
});
