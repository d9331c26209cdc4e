import type { Worker } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApp, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';
import { WriteBehindLifecycle } from '../../src/write-behind/write-behind.lifecycle';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';

jest.setTimeout(60_000);

const LOCK_MS = 1_000;

/**
 * A queue worker whose fetch loop hangs, as BullMQ's recovery of a blocking connection can after a
 * Redis Cluster failover (the worker reports running and takes nothing): here its wait for the next
 * job never returns. The write path's stall watch sees jobs waiting, nothing in hand, no rate limit
 * and no job taken for two checks a lock duration apart, replaces the worker with a new one on a
 * new connection, and the acknowledged writes land.
 */
describe('write-behind: a worker that stops fetching is replaced (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { CATALOG_SEED_COUNT: '5', WRITE_BEHIND_LOCK_DURATION_MS: String(LOCK_MS) } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lands the writes that waited behind a hung fetch loop, with the replacement counted', async () => {
    // The products' lifecycle (each feature has one).
    const lifecycle = t.app.get(WriteBehindLifecycle, { strict: false, each: true }).find((l) => l.worker?.bullWorkers[0]?.name === 'wb-products')!;
    const [stuck] = lifecycle.worker!.bullWorkers;
    // From now on the worker's wait for a job and its fetch never end (whatever it had in progress may still end).
    const hung = stuck as unknown as { waitForJob: Worker['waitForJob']; moveToActive: Worker['moveToActive'] };
    hung.waitForJob = () => new Promise<number>(() => undefined);
    hung.moveToActive = () => new Promise<never>(() => undefined);
    const put = (id: number) =>
      t.app.inject({
        method: 'PUT',
        url: `/products/${id}`,
        payload: { sku: `DEMO-${String(id).padStart(7, '0')}`, name: 'Behind a stalled worker', priceMinor: 1, currency: 'EUR', stock: id },
      });
    const feature = t.app.get(WriteBehindRegistry).get('products')!;
    await sleep(1_000);

    for (const id of [1, 2, 3]) {
      expect((await put(id)).statusCode).toBe(200);
    }
    await writesFlushed(t.app, 15_000);
    expect(feature.stats.counters.workersReplaced).toBeGreaterThanOrEqual(1);
    expect(lifecycle.worker!.bullWorkers[0]).not.toBe(stuck);
    expect(await t.sql('SELECT count(*)::int AS n FROM products WHERE name = $1', ['Behind a stalled worker'])).toEqual([{ n: 3 }]);
  });
});
