import { setTimeout as sleep } from 'node:timers/promises';
import { WriteBehindLifecycle } from '../../src/write-behind/write-behind.lifecycle';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';
import { ThrowawayRedisCluster } from '../support/redis-cluster';
import { SharedIsolation } from '../support/shared-isolation';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';
import { lostWrites, WriteLoad, type ProductRow } from '../support/write-load';

jest.setTimeout(150_000);

const PRODUCTS = 40;
const WAIT_TIMEOUT_MS = 500;
/**
 * Longest a write may take whatever Redis does: recording it and adding its job are bounded by
 * 2 s each (`ADD_TIMEOUT_MS`), the replicas' confirmation by WAIT's timeout plus 1 s of slack; a
 * second of scheduling slack for a loaded machine.
 */
const WRITE_BOUND_MS = 2_000 + 2_000 + WAIT_TIMEOUT_MS + 1_000 + 1_000;

/**
 * A Redis Cluster of its own (three primaries, two replicas each; the products' write state and
 * its queue on two different primaries) under a steady write and read load: the replicas of the
 * write state's primary stall for 400 ms (replication lag) and that primary is SIGKILLed at its
 * end; once a replica took over and writes are acknowledged again, the same happens to the queue's
 * primary. With REDIS_QUEUE_MIN_REPLICAS at its cluster default (1) a write is answered only once
 * a replica of each primary it wrote holds it, so the promoted replicas have every acknowledged
 * write: each 2xx lands in PostgreSQL with its value and version. Writes during the failovers
 * answer 503 or succeed, within their bounds; reads of cached products answer 200; the app follows
 * the new primaries without a restart.
 */
/**
 * Not in `npm test` unless BULWARK_CHAOS=1 (`npm run test:chaos`): in some runs on a loaded machine
 * the app's close does not end after the failovers (the jobs kit's BullMQ workers), and a BullMQ
 * worker can stop fetching (jobs wait, the worker reports running, nothing is active; the write
 * path's `StallWatch` now replaces its own workers). Both trace to BullMQ 6.7's blocking-connection
 * recovery on an ioredis Cluster (docs/redis.md, "Not yet"). No acknowledged write was lost in any run.
 */
const chaos = process.env.BULWARK_CHAOS === '1' ? describe : describe.skip;

chaos('Redis Cluster failovers under write load (chaos e2e, own cluster)', () => {
  const shared = new SharedIsolation();
  const stateKey = `${shared.keyPrefix}wb:{products}`;
  const queueKey = `${shared.keyPrefix}bull:{wb-products}`;
  let cluster: ThrowawayRedisCluster;
  let t: TestApp;

  beforeAll(async () => {
    cluster = await ThrowawayRedisCluster.start({ replicas: 2 });
    const state = await cluster.ownerOf(stateKey);
    await cluster.moveSlot(
      queueKey,
      (await cluster.primaries()).find((port) => port !== state)!,
    );
    t = await startTestApp({
      env: shared.env({
        REDIS_CLUSTER_NODES: cluster.nodesVar,
        REDIS_QUEUE_WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS),
        REDIS_RETRY_MAX_DELAY_MS: '200',
        APP_ROLE: 'all',
        CATALOG_SEED_COUNT: String(PRODUCTS),
      }),
    });
  });
  afterAll(async () => {
    try {
      // Bounded, so that a close that does not end (seen once after a passing run) fails here and the cluster still stops.
      const closed = t?.app.close();
      await Promise.race([closed, sleep(30_000).then(() => Promise.reject(new Error('the app did not close within 30 s')))]);
      await shared.cleanup();
    } finally {
      await cluster?.stop();
    }
  });

  /**
   * The replicas of the primary that owns `key` are frozen and cut off for 400 ms (what it takes
   * meanwhile reaches no replica), then it is SIGKILLed and they thaw; resolves once a replica owns
   * the slot. Returns the time of the kill and of the takeover.
   */
  async function killOwnerOf(key: string): Promise<{ killedAt: number; failedOverAt: number }> {
    const victim = await cluster.ownerOf(key);
    const replicas = await cluster.replicasOf(victim);
    expect(replicas.length).toBeGreaterThan(0);
    for (const replica of replicas) replica.pause();
    try {
      await cluster.command(victim, 'CLIENT', 'KILL', 'TYPE', 'replica');
      await sleep(400);
      await cluster.node(victim).kill();
    } finally {
      for (const replica of replicas) replica.resume();
    }
    const killedAt = Date.now();
    await waitFor(async () => (await cluster.ownerOf(key).catch(() => victim)) !== victim, 30_000, `a replica of ${victim} promoted`);
    return { killedAt, failedOverAt: Date.now() };
  }

  /**
   * What was left when the writes did not all land (seen in about one run in five under CPU load,
   * cause not found yet: rows pending with no job in the queue, or jobs waiting that no worker takes).
   */
  async function backlog(): Promise<Record<string, unknown>> {
    const feature = t.app.get(WriteBehindRegistry).get('products')!;
    const { pendingRows, waiting, active, delayed, handedBack } = await feature.snapshot();
    const mappedJobs = (await feature.state.waitingJobs()).size;
    const workers = t.app.get(WriteBehindLifecycle, { strict: false }).worker?.bullWorkers.map((w) => ({ running: w.isRunning(), paused: w.isPaused() }));
    return { pendingRows, mappedJobs, waiting, active, delayed, handedBack, workers };
  }

  it('loses no acknowledged write across failovers of the write state and the queue primaries, never hangs, and recovers by itself', async () => {
    const app = t.app;
    for (let id = 1; id <= PRODUCTS; id++) expect((await app.inject({ method: 'GET', url: `/products/${id}` })).statusCode).toBe(200);
    const load = new WriteLoad(app, PRODUCTS);
    load.start();

    await sleep(2_000);
    const failovers: Array<{ killedAt: number; failedOverAt: number }> = [];
    for (const key of [stateKey, queueKey]) {
      const failover = await killOwnerOf(key);
      failovers.push(failover);
      // Writes are acknowledged again: the app found the new owner, and its remaining replica synced.
      await waitFor(
        () => load.sent.filter((s) => s.at > failover.failedOverAt && s.status < 300).length > 100,
        30_000,
        'writes acknowledged after the failover',
      );
    }
    await sleep(1_000);
    await load.stop();

    const { sent, reads } = load;
    const before = sent.filter((s) => s.at < failovers[0].killedAt && s.status < 300).length;
    // Hundreds of writes per second before the first kill.
    expect(before).toBeGreaterThan(200);
    // During the failovers: 503 (never a 500) or success, and no write beyond its bounds.
    expect(sent.filter((s) => ![200, 201, 503].includes(s.status)).map((s) => s.status)).toEqual([]);
    expect(Math.max(...sent.map((s) => s.ms))).toBeLessThan(WRITE_BOUND_MS);
    for (const { killedAt, failedOverAt } of failovers) expect(sent.filter((s) => s.at >= killedAt && s.at <= failedOverAt).length).toBeGreaterThan(0);
    // Reads of cached products answered throughout.
    expect(reads.length).toBeGreaterThan(100);
    expect(reads.filter((status) => status !== 200)).toEqual([]);

    // The workers flush everything; every acknowledged create and update is in PostgreSQL with its value and version.
    await writesFlushed(app, 30_000).catch(async (error: Error) => {
      throw new Error(`${error.message}; then: ${JSON.stringify(await backlog())}`);
    });
    const rows = await shared.sql<ProductRow & { id: string }>('SELECT id, version, stock, sku FROM products');
    const acked = load.acked();
    expect(acked.filter((s) => s.kind === 'create').length).toBeGreaterThan(50);
    expect(acked.filter((s) => s.kind === 'update').length).toBeGreaterThan(50);
    expect(lostWrites(sent, new Map(rows.map((row) => [Number(row.id), row])))).toEqual([]);

    const stats = app.get(WriteBehindRegistry).get('products')!.stats.counters;
    const during = failovers.map(({ killedAt, failedOverAt }) => `${failedOverAt - killedAt} ms`).join(' and ');
    console.log(
      `${sent.length} writes (${acked.length} acknowledged, ${stats.unconfirmed} unconfirmed by replicas), failovers of ${during}, ` +
        `slowest ${Math.round(Math.max(...sent.map((s) => s.ms)))} ms, ${reads.length} reads (${reads.filter((s) => s !== 200).length} not 200), ` +
        `${stats.workersReplaced} stalled workers replaced`,
    );
  });
});
