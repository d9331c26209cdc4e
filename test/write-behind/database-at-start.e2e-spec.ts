import { setTimeout as sleep } from 'node:timers/promises';
import { SharedIsolation } from '../support/shared-isolation';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';

jest.setTimeout(60_000);

/**
 * A worker that starts while PostgreSQL cannot be reached yet (a fleet restarting together, the
 * database still booting) finds acknowledged writes in its queue. It takes none of them before its
 * database is ready: no job fails, none is handed back, none loses an attempt; once the database
 * answers, every write lands. (Found by the key-migration e2e on a loaded machine: the workers
 * started at bootstrap, flushed before the database was ready, and that error was not seen as the
 * database's, so a job lost an attempt, or with none left became a dead letter.)
 */
describe('write-behind: a worker starting before its database is reachable (e2e)', () => {
  const shared = new SharedIsolation();
  let proxy: TcpProxy;
  let api: TestApp | undefined;
  let worker: TestApp | undefined;

  beforeAll(async () => {
    proxy = await TcpProxy.start('127.0.0.1', 5432);
  });
  afterAll(async () => {
    proxy.restore();
    await api?.app.close();
    await worker?.app.close();
    await proxy.close();
    await shared.cleanup();
  });

  it('takes no job until the database is ready, then lands every acknowledged write', async () => {
    api = await startTestApp({ env: shared.env({ APP_ROLE: 'api', CATALOG_SEED_COUNT: '5' }) });
    const acked = new Map<number, number>();
    for (const id of [1, 2, 3]) {
      const res = await api.app.inject({
        method: 'PUT',
        url: `/products/${id}`,
        payload: { sku: `DEMO-${String(id).padStart(7, '0')}`, name: 'Queued before the worker', priceMinor: 1, currency: 'EUR', stock: id },
      });
      expect(res.statusCode).toBe(200);
      acked.set(id, res.json<{ version: number }>().version);
    }
    // app.close() only (TestApp.close would drop the shared keys): the writes stay queued, no worker has run.
    await api.app.close();
    api = undefined;

    proxy.cutAll();
    worker = await startTestApp({
      env: shared.env({
        APP_ROLE: 'worker',
        CATALOG_SEED_COUNT: '5',
        DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/test`,
        DATABASE_CONNECT_TIMEOUT_MS: '300',
      }),
      waitForStartup: false,
    });
    const feature = worker.app.get(WriteBehindRegistry, { strict: false }).get('products')!;
    await sleep(2_000);
    expect(proxy.connectionAttempts).toBeGreaterThan(0);
    const counts = await feature.queue.getJobCounts('wait', 'active', 'delayed', 'failed', 'completed');
    expect(counts).toMatchObject({ active: 0, delayed: 0, failed: 0 });
    expect(counts.wait).toBeGreaterThan(0);
    expect(feature.stats.counters).toMatchObject({ handedBack: 0, retries: 0, deadLettered: 0 });

    proxy.restore();
    await writesFlushed(worker.app, 20_000);
    const rows = await shared.sql<{ id: string; name: string; version: number }>('SELECT id, name, version FROM products WHERE id IN (1, 2, 3) ORDER BY id');
    expect(rows).toEqual([...acked].map(([id, version]) => ({ id: String(id), name: 'Queued before the worker', version })));
    expect(feature.stats.counters).toMatchObject({ retries: 0, deadLettered: 0 });
  });
});
