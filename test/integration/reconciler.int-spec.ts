import { RedisClientFactory } from '../../src/redis/redis-client.factory';
import type { ProductState } from '../../src/features/catalog/product.types';
import type { FeatureQueue } from '../../src/write-behind/feature-queue';
import { getWriteBehindToken } from '../../src/write-behind/write-behind.constants';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';
import type { WriteBehind } from '../../src/write-behind/write-behind.service';
import type { WriteRequest } from '../../src/write-behind/write-behind.types';
import { Schedules } from '../../src/schedules/schedules.service';
import { reconcileSchedule } from '../../src/write-behind/write-behind.reconciler';
import { WriteBehindWorker } from '../../src/write-behind/write-behind.worker';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';

/**
 * The workers' reconciler on real Redis and PostgreSQL. A producer records a
 * write (RESERVE) and then adds its job; when Redis dies between the two, the
 * write state names a waiting job the queue does not have. The reconciler adds
 * exactly those (it checks each recorded job's key first), and the write lands.
 *
 * The app runs as APP_ROLE=api; the test runs its own `WriteBehindWorker` on the
 * app's feature queue, so that it can pause the queue (jobs stay waiting) and
 * run one reconcile pass at a time.
 */
jest.setTimeout(30_000);

let t: TestApp;
let feature: FeatureQueue;
let producer: WriteBehind<ProductState>;
let worker: WriteBehindWorker;

beforeAll(async () => {
  t = await startTestApp({ env: { APP_ROLE: 'api' } });
  feature = t.app.get(WriteBehindRegistry).get('products')!;
  producer = t.app.get<WriteBehind<ProductState>>(getWriteBehindToken('products'), { strict: false });
  worker = new WriteBehindWorker(feature, t.app.get(RedisClientFactory));
  worker.start();
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
});
afterEach(async () => {
  jest.restoreAllMocks();
  await feature.queue.resume();
});

/** An update of seeded row `id` (version 1) to `name`, keeping its SKU. */
async function rename(id: number, name: string): Promise<WriteRequest<ProductState>> {
  const [row] = await t.sql<{ sku: string }>('SELECT sku FROM products WHERE id = $1', [id]);
  const state: ProductState = {
    sku: row.sku,
    name,
    description: '',
    priceMinor: 100,
    currency: 'EUR',
    stock: 1,
    tags: [],
    updatedAt: new Date().toISOString(),
  };
  return { kind: 'update', id, unique: state.sku, state };
}

/** What a producer that died right after RESERVE leaves: the writes of a group recorded, their job never added. */
async function recordWithoutJob(...requests: Array<WriteRequest<ProductState>>): Promise<string> {
  const reservations = await feature.state.reserveMany(
    requests.map((request) => ({ request, body: JSON.stringify((request as { state: ProductState }).state) })),
  );
  const jobIds = new Set(reservations.map((r) => (r.kind === 'accepted' && r.path === 'enqueue' ? r.jobId : `unexpected ${JSON.stringify(r)}`)));
  if (jobIds.size !== 1) throw new Error(`expected one job for the group, got ${[...jobIds].join(', ')}`);
  return [...jobIds][0];
}

const waitingJobIds = async () => (await feature.queue.getJobs(['waiting'])).map((job) => job.id).sort();
const rowsOf = (ids: number[]) =>
  t.sql<{ id: number; name: string; version: number }>('SELECT id::int, name, version FROM products WHERE id = ANY($1) ORDER BY id', [ids]);

describe('WriteBehindWorker reconciler', () => {
  it('re-adds a recorded job the queue does not have, and only that one: not the job the queue has, not twice; a job of two rows comes back as one; all writes land', async () => {
    await feature.queue.pause();
    expect(await producer.write(await rename(1, 'queued normally'))).toMatchObject({ kind: 'accepted', version: 2, path: 'queued' });
    const lostJobId = await recordWithoutJob(await rename(2, 'recorded, job lost'), await rename(3, 'same group, same job'));
    const [queued] = await waitingJobIds();
    expect(lostJobId).not.toBe(queued);
    const add = jest.spyOn(feature.queue, 'addBulk');

    await worker.reconcile();
    await worker.reconcile();

    expect(add).toHaveBeenCalledTimes(1);
    expect(add).toHaveBeenCalledWith([
      {
        name: 'products',
        data: { rows: [expect.objectContaining({ id: 2, kind: 'upsert', version: 2 }), expect.objectContaining({ id: 3, kind: 'upsert', version: 2 })] },
        opts: { jobId: lostJobId },
      },
    ]);
    expect(await waitingJobIds()).toEqual([queued, lostJobId].sort());
    expect(await rowsOf([1, 2, 3])).toEqual([
      { id: 1, name: expect.not.stringContaining('queued'), version: 1 },
      { id: 2, name: expect.not.stringContaining('recorded'), version: 1 },
      { id: 3, name: expect.not.stringContaining('group'), version: 1 },
    ]);

    await feature.queue.resume();
    await writesFlushed(t.app);
    expect(await rowsOf([1, 2, 3])).toEqual([
      { id: 1, name: 'queued normally', version: 2 },
      { id: 2, name: 'recorded, job lost', version: 2 },
      { id: 3, name: 'same group, same job', version: 2 },
    ]);
  });

  it('the reconcile schedule finds lost jobs by itself: a lost job lands within its interval', async () => {
    // What WriteBehindLifecycle adds on a worker process (this app is APP_ROLE=api: the test's worker is the only one).
    t.app.get(Schedules).add(reconcileSchedule('products', worker, 1_000));
    await recordWithoutJob(await rename(4, 'found by the timer'));

    await waitFor(async () => (await rowsOf([4]))[0]?.version === 2, 12_000, 'the reconciler to re-add the lost job and the worker to flush it');
    expect(await rowsOf([4])).toEqual([{ id: 4, name: 'found by the timer', version: 2 }]);
  });
});
