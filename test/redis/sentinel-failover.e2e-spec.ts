import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { REDIS_CACHE_CLIENT, REDIS_QUEUE_CLIENT } from '../../src/redis/redis.constants';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';
import { ThrowawaySentinelSet, SENTINEL_MASTER_NAME } from '../support/redis-sentinel';
import { WebhookReceiver } from '../support/webhook-receiver';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';
import { lostWrites, WriteLoad, type ProductRow } from '../support/write-load';

jest.setTimeout(90_000);

const PRODUCTS = 40;
const WAIT_TIMEOUT_MS = 500;
/**
 * Longest a write may take whatever Redis does: recording it and adding its job are bounded by
 * 2 s each (`ADD_TIMEOUT_MS`), the replicas' confirmation by WAIT's timeout plus 1 s of slack; a
 * second of scheduling slack for a loaded machine.
 */
const WRITE_BOUND_MS = 2_000 + 2_000 + WAIT_TIMEOUT_MS + 1_000 + 1_000;

/**
 * Sentinel (a primary, two replicas, three sentinels) under a steady write
 * and read load: the replicas stall for 400 ms (replication lag) and the
 * primary is SIGKILLed at its end, mid-load. With
 * REDIS_QUEUE_MIN_REPLICAS at its Sentinel default (1), a write is answered
 * only once a replica holds it, so the promoted replica has every
 * acknowledged write: each 2xx lands in PostgreSQL with its value and
 * version. Writes during the failover answer 503 or succeed, within their
 * bounds; reads of cached keys keep answering 200; every connection (shared
 * clients, subscribers, the producer, the BullMQ workers of write-behind and of
 * the jobs kit) follows the new primary without a restart: the product event of
 * each write acknowledged once the app is back reaches a real webhook receiver,
 * once by its key.
 */
describe('Sentinel failover under write load (chaos e2e)', () => {
  let set: ThrowawaySentinelSet;
  let t: TestApp;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    set = await ThrowawaySentinelSet.start({ replicas: 2, downAfterMs: 1000 });
    t = await startTestApp({
      env: {
        PRODUCT_EVENTS_WEBHOOK_URL: await receiver.start(),
        REDIS_SENTINELS: set.sentinelList,
        REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME,
        REDIS_QUEUE_WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS),
        REDIS_RETRY_MAX_DELAY_MS: '200',
        APP_ROLE: 'all',
        CATALOG_SEED_COUNT: String(PRODUCTS),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await set?.stop();
    await receiver.stop();
  });

  it('loses no acknowledged write, never hangs, keeps serving cached reads, and recovers by itself', async () => {
    const app = t.app;
    // Warm the cache: every product read once (L1 and L2).
    for (let id = 1; id <= PRODUCTS; id++) expect((await app.inject({ method: 'GET', url: `/products/${id}` })).statusCode).toBe(200);

    const load = new WriteLoad(app, PRODUCTS);
    load.start();

    await sleep(2_000);
    const killedAt = Date.now();
    // The replicas stall 400 ms first: writes the primary takes meanwhile reach no replica before it dies.
    const oldPrimary = await set.killPrimary({ replicasStalledMs: 400 });
    const newPrimary = await set.waitForFailover(oldPrimary, 1);
    const failedOverAt = Date.now();
    // The app is back on the new primary: its shared clients reconnected, writes are acknowledged again.
    await waitFor(() => app.get<Redis>(REDIS_CACHE_CLIENT).status === 'ready' && app.get<Redis>(REDIS_QUEUE_CLIENT).status === 'ready', 15_000, 'the clients');
    await waitFor(() => load.sent.some((s) => s.at > failedOverAt && s.status < 300), 15_000, 'a write acknowledged after the failover');
    await sleep(2_000);
    await load.stop();

    const { sent, reads } = load;
    const acked = load.acked();
    const during = sent.filter((s) => s.at >= killedAt && s.at <= failedOverAt);
    // Hundreds of writes per second before the kill, and after.
    const before = sent.filter((s) => s.at < killedAt && s.status < 300).length;
    expect(before).toBeGreaterThan(200);
    expect(acked.filter((s) => s.at > failedOverAt).length).toBeGreaterThan(100);
    // During the failover: 503 (never a 500) or success, and no write beyond its bounds.
    expect([...new Set(sent.map((s) => s.status))].sort()).toEqual(expect.arrayContaining([200]));
    expect(sent.filter((s) => ![200, 201, 503].includes(s.status))).toEqual([]);
    expect(Math.max(...sent.map((s) => s.ms))).toBeLessThan(WRITE_BOUND_MS);
    expect(during.length).toBeGreaterThan(0);
    // Reads of cached keys answered throughout.
    expect(reads.length).toBeGreaterThan(100);
    expect(reads.filter((status) => status !== 200)).toEqual([]);

    // Every subscription is back on the new primary: the cache bus and the switch overrides.
    const primary = new Redis({ port: newPrimary, host: '127.0.0.1' });
    try {
      const [, bus, , switches] = (await primary.pubsub('NUMSUB', `${t.keyPrefix}cache:bus`, `${t.keyPrefix}{degradation}:switches`)) as [
        string,
        number,
        string,
        number,
      ];
      expect(Number(bus)).toBeGreaterThanOrEqual(1);
      expect(Number(switches)).toBeGreaterThanOrEqual(1);
    } finally {
      primary.disconnect();
    }

    // The workers (BullMQ, through Sentinel too) flush everything to PostgreSQL.
    await writesFlushed(app, 30_000);
    const rows = await t.sql<ProductRow & { id: string }>('SELECT id, version, stock, sku FROM products');
    // Each acknowledged create is a row with its value; no acknowledged update went back or lost its value.
    expect(acked.filter((s) => s.kind === 'create').length).toBeGreaterThan(50);
    expect(acked.filter((s) => s.kind === 'update').length).toBeGreaterThan(50);
    expect(lostWrites(sent, new Map(rows.map((row) => [Number(row.id), row])))).toEqual([]);
    // The jobs kit followed the new primary too (its producer and its workers): every write acknowledged
    // a second after the app was back has its product event delivered, and accepted once by its key.
    const backAt = Math.min(...acked.filter((s) => s.at > failedOverAt).map((s) => s.at)) + 1_000;
    const keys = acked.filter((s) => s.at > backAt).map((s) => `product:${s.createdId}:v${s.version}`);
    expect(keys.length).toBeGreaterThan(50);
    await waitFor(() => keys.every((key) => receiver.accepted(key) > 0), 20_000, 'the product events of the writes after the failover');
    expect(keys.filter((key) => receiver.accepted(key) !== 1)).toEqual([]);

    // What the failover cost, for the log of a run.
    const stats = app.get(WriteBehindRegistry).all()[0].stats.counters;
    console.log(
      `${sent.length} writes (${acked.length} acknowledged, ${during.length} during the failover of ${failedOverAt - killedAt} ms, ` +
        `${stats.unconfirmed} unconfirmed by replicas), slowest ${Math.round(Math.max(...sent.map((s) => s.ms)))} ms, ${reads.length} reads`,
    );
  });
});
