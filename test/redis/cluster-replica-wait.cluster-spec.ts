import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { getJobProducerToken, type JobProducer } from '../../src/jobs';
import { ReplicaWait } from '../../src/redis';
import { slotOwner } from '../../src/redis/slot-owner';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';
import { ThrowawayRedisCluster } from '../support/redis-cluster';
import { SharedIsolation } from '../support/shared-isolation';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';

jest.setTimeout(90_000);

const WAIT_TIMEOUT_MS = 300;

/**
 * REDIS_QUEUE_MIN_REPLICAS on a Redis Cluster of its own (three primaries, one replica each), at
 * its cluster default (1): the write state of products, its queue and the product-events queue are
 * put on three different primaries, so that a WAIT sent anywhere but to the owner of each slot
 * written is seen. With the replicas of the state's primary, then of the queue's, frozen and cut
 * off, writes answer 503 within the WAIT timeout (and workers flush nothing the state's replicas
 * lack); a job add answers 503 with its queue's replicas frozen. As on a single server, such a 503
 * write is kept, its outcome unknown to the client: once the replicas are back it lands, and the
 * row's next write takes the version after it. Last, a confirmation across a change of the slot's
 * owner is refused even though the new owner's replicas answer.
 */
describe('replica acknowledgement on a Redis Cluster (e2e, own cluster)', () => {
  const shared = new SharedIsolation();
  const stateKey = `${shared.keyPrefix}wb:{products}`;
  const queueKey = `${shared.keyPrefix}bull:{wb-products}`;
  const eventsKey = `${shared.keyPrefix}bull:{product-events}`;
  let cluster: ThrowawayRedisCluster;
  let t: TestApp;
  let thaw: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    cluster = await ThrowawayRedisCluster.start();
    const state = await cluster.ownerOf(stateKey);
    const events = await cluster.ownerOf(eventsKey);
    const third = (await cluster.primaries()).find((port) => port !== state && port !== events);
    if (state === events || third === undefined) throw new Error('expected the state and the events queue on two primaries');
    await cluster.moveSlot(queueKey, third);
    t = await startTestApp({
      env: shared.env({
        REDIS_CLUSTER_NODES: cluster.nodesVar,
        REDIS_QUEUE_WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS),
        REDIS_RETRY_MAX_DELAY_MS: '200',
        APP_ROLE: 'all',
        CATALOG_SEED_COUNT: '5',
      }),
    });
  });
  afterAll(async () => {
    await thaw?.();
    await t?.app.close();
    await shared.cleanup();
    await cluster?.stop();
  });

  const put = (id: number, stock: number) =>
    t.app.inject({
      method: 'PUT',
      url: `/products/${id}`,
      payload: { sku: `DEMO-${String(id).padStart(7, '0')}`, name: 'Replicated', priceMinor: 1, currency: 'EUR', stock },
    });
  const row = async (id: number) => (await shared.sql<{ version: number; stock: number }>('SELECT version, stock FROM products WHERE id = $1', [id]))[0];

  it.each([
    ['the write state', stateKey, 1],
    ['the write queue', queueKey, 2],
  ])('with the replicas of the primary of %s frozen, writes answer 503 within the WAIT timeout; they land once it is back', async (_, key, id) => {
    const ok = await put(id, 1);
    expect(ok.statusCode).toBe(200);
    const acked = ok.json<{ version: number }>().version;
    await writesFlushed(t.app, 10_000);
    const unconfirmedBefore = t.app.get(WriteBehindRegistry).get('products')!.stats.counters.unconfirmed;

    thaw = await cluster.freezeReplicasOf(await cluster.ownerOf(key));
    try {
      // Several writes: a WAIT sent to another primary than the slot's owner would confirm at least one of them.
      for (let i = 0; i < 4; i++) {
        const started = performance.now();
        const refused = await put(id, 2 + i);
        const ms = performance.now() - started;
        expect(refused.statusCode).toBe(503);
        expect(refused.json()).toMatchObject({
          code: 'E_DEPENDENCY_UNAVAILABLE',
          detail: expect.stringContaining('not confirmed by the queue Redis replicas'),
        });
        expect(ms).toBeGreaterThanOrEqual(WAIT_TIMEOUT_MS - 5);
        expect(ms).toBeLessThan(WAIT_TIMEOUT_MS + 1_500);
      }
      expect(t.app.get(WriteBehindRegistry).get('products')!.stats.counters.unconfirmed).toBe(unconfirmedBefore + 4);
      // The workers' claims wait for the write state's replicas: nothing they lack reaches PostgreSQL.
      if (key === stateKey) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        expect(await row(id)).toEqual({ version: acked, stock: 1 });
      }
    } finally {
      await thaw();
      thaw = undefined;
    }

    // The 503 writes were kept: the row's next write takes the version after the last of them.
    let again = await put(id, 9);
    // Right after the thaw a replica may still be catching up: then it is one more 503, kept too.
    for (let tries = 0; again.statusCode === 503 && tries < 10; tries++) again = await put(id, 9);
    expect(again.statusCode).toBe(200);
    const final = again.json<{ version: number }>().version;
    expect(final).toBeGreaterThanOrEqual(acked + 5);
    await writesFlushed(t.app, 20_000);
    expect(await row(id)).toEqual({ version: final, stock: 9 });
  });

  it("with the replicas of the events queue's primary frozen, a job add answers 503", async () => {
    const jobs = t.app.get<JobProducer<unknown>>(getJobProducerToken('product-events'), { strict: false });
    await jobs.add('cluster-wait:1:v1', { id: 1, version: 1, kind: 'updated' });
    thaw = await cluster.freezeReplicasOf(await cluster.ownerOf(eventsKey));
    try {
      // Several adds: a WAIT sent to another primary than the queue slot's owner would confirm at least one of them.
      for (let i = 2; i < 8; i++) await expect(jobs.add(`cluster-wait:1:v${i}`, { id: 1, version: i, kind: 'updated' })).rejects.toMatchObject({ status: 503 });
    } finally {
      await thaw();
      thaw = undefined;
    }
    await waitFor(
      () =>
        jobs.add('cluster-wait:1:v9', { id: 1, version: 9, kind: 'updated' }).then(
          () => true,
          () => false,
        ),
      10_000,
      'a job add confirmed again',
    );
  });

  it("refuses a confirmation across a change of the slot's owner, though the new owner's replicas answer", async () => {
    const client = new Cluster([{ host: '127.0.0.1', port: cluster.anyRunning() }], { redisOptions: { maxRetriesPerRequest: 1 } });
    try {
      const replicas = new ReplicaWait(client, 1, 1_000, [stateKey]);
      await client.set(`${stateKey}:probe`, '0');
      await replicas.confirm(replicas.mark());

      const mark = replicas.mark();
      await client.set(`${stateKey}:probe`, '1');
      const owner = await cluster.ownerOf(stateKey);
      const [replica] = await cluster.replicasOf(owner);
      // A graceful failover: the replica catches up, then takes the slots; the old primary follows it.
      await cluster.command(replica.port, 'CLUSTER', 'FAILOVER');
      // The client learns the new owner from a write's MOVED (and the slot-table refresh it starts).
      await waitFor(
        async () => {
          await client.set(`${stateKey}:probe`, '2').catch(() => undefined);
          return slotOwner(client, calculateSlot(stateKey))?.options.port === replica.port;
        },
        15_000,
        'the replica to take over',
      );
      await expect(replicas.confirm(mark)).rejects.toThrow(/cluster topology changed/);
      // Once the client's slot table has settled (ioredis refreshes it after the MOVED, which voids a mark taken
      // meanwhile: seen on a loaded machine), a new write's confirmation passes again.
      await waitFor(
        async () => {
          const next = replicas.mark();
          await client.set(`${stateKey}:probe`, '3');
          return replicas.confirm(next).then(
            () => true,
            () => false,
          );
        },
        10_000,
        'a confirmation after the failover',
      );
    } finally {
      client.disconnect();
    }
  });
});
