import { get, spawnApp, type AppProcess } from '../support/app-process';
import { PgStatementTap } from '../support/pg-statement-tap';
import { SharedIsolation, stopProcess } from '../support/shared-isolation';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';

jest.setTimeout(90_000);

const KEYS = 200;
const UPDATES = 1500;
const CREATES = 100;

/** Default WRITE_BEHIND_LOCK_DURATION_MS: a dead worker's jobs move on within 1.5 × this (README). */
const LOCK_DURATION_MS = 4_000;

/**
 * Two worker processes (APP_ROLE=worker, dist/main.js); one is SIGKILLed while
 * batches are in flight (PostgreSQL is slowed by a tap so that they are). The
 * survivor's stalled check hands the dead worker's jobs on within 1.5 × the
 * (default) lock duration, readiness details count them as stalled meanwhile,
 * and every write the API acknowledged is in PostgreSQL at exactly its last
 * acknowledged version, every created product exactly once: the replayed
 * batch is harmless thanks to the version-guarded upsert.
 */
describe('write-behind: worker killed mid-batch (e2e)', () => {
  const shared = new SharedIsolation();
  let tap: PgStatementTap;
  let api: TestApp;
  const workers: AppProcess[] = [];

  const workerEnv = () =>
    shared.env({
      APP_ROLE: 'worker',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${tap.port}/test`,
      CATALOG_SEED_COUNT: String(KEYS),
      WRITE_BEHIND_BATCH_SIZE: '50',
      LOG_LEVEL: 'info',
    });
  const started = (app: AppProcess) => waitFor(async () => (await get(`${app.url}/health/startup`, 1_000)).status === 200, 30_000, 'worker start-up');

  beforeAll(async () => {
    tap = await PgStatementTap.start();
    api = await startTestApp({ env: shared.env({ APP_ROLE: 'api', CATALOG_SEED_COUNT: String(KEYS) }) });
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopProcess(worker)));
    await api?.close();
    await tap?.close();
    await shared.cleanup();
  });

  it('a SIGKILLed worker: its jobs move on within the bound, readiness shows them stalled meanwhile, every acknowledged write lands once at its last version', async () => {
    workers.push(await spawnApp(workerEnv()), await spawnApp(workerEnv()));
    await Promise.all(workers.map(started));
    tap.setLatency(100);

    const acked = new Map<number, { version: number; stock: number }>();
    const createdIds: number[] = [];
    let next = 0;
    const client = async () => {
      while (next < UPDATES + CREATES) {
        const i = next++;
        if (i % 16 === 0 && createdIds.length < CREATES) {
          const res = await api.app.inject({
            method: 'POST',
            url: '/products',
            payload: { sku: `CRASH-${i}`, name: 'Created', priceMinor: 1, currency: 'EUR', stock: i },
          });
          expect(res.statusCode).toBe(201);
          const { id, version } = res.json<{ id: number; version: number }>();
          createdIds.push(id);
          acked.set(id, { version, stock: i });
          continue;
        }
        const id = (i % KEYS) + 1;
        const res = await api.app.inject({
          method: 'PUT',
          url: `/products/${id}`,
          payload: { sku: `DEMO-${String(id).padStart(7, '0')}`, name: 'Updated', priceMinor: 1, currency: 'EUR', stock: i },
        });
        expect(res.statusCode).toBe(200);
        const { version, stock } = res.json<{ version: number; stock: number }>();
        if ((acked.get(id)?.version ?? 0) < version) acked.set(id, { version, stock });
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const writing = Promise.all(Array.from({ length: 16 }, client));

    // Kill one worker while it holds jobs (active) and after some batches have landed.
    const feature = api.app.get(WriteBehindRegistry).get('products')!;
    const upserts = () => tap.count((s) => s.sql.includes('ON CONFLICT (id)'));
    await waitFor(async () => upserts() >= 2 && (await feature.snapshot()).active > 0, 20_000, 'batches in flight');
    workers[0].child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await workers[0].exited).toBe('SIGKILL');

    // Readiness details (what an operator sees) count the rows the dead worker held, until the survivor's stalled check moves them.
    let stalledSeen = 0;
    let recoveredAfterMs = -1;
    while (Date.now() - killedAt < 3 * LOCK_DURATION_MS) {
      const ready = await api.app.inject({ method: 'GET', url: '/health/ready' });
      const stalled = ready.json<{ details: { writeBehind: { products: { stalled: number } } } }>().details.writeBehind.products.stalled;
      stalledSeen = Math.max(stalledSeen, stalled);
      if (stalledSeen > 0 && stalled === 0) {
        recoveredAfterMs = Date.now() - killedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stalledSeen).toBeGreaterThan(0);
    expect(recoveredAfterMs).toBeGreaterThan(0);
    // The lock expires at most LOCK after the kill; the next stalled check (every LOCK/2) moves the jobs: 6 s, + 1 s for the polling.
    expect(recoveredAfterMs).toBeLessThan(1.5 * LOCK_DURATION_MS + 1_000);
    await writing;

    tap.setLatency(0);
    await writesFlushed(api.app, 30_000);
    process.stdout.write(`worker crash: ${stalledSeen} jobs stalled, moved on ${recoveredAfterMs} ms after the kill\n`);

    const rows = await shared.sql<{ id: string; version: number; stock: number }>('SELECT id, version, stock FROM products ORDER BY id');
    const expected = [...acked.entries()].sort(([a], [b]) => a - b).map(([id, last]) => ({ id, ...last }));
    expect(rows.map((row) => ({ id: Number(row.id), version: row.version, stock: row.stock }))).toEqual(expected);
    expect(rows).toHaveLength(KEYS + createdIds.length);
    const [{ count }] = await shared.sql<{ count: string }>("SELECT count(DISTINCT sku) FROM products WHERE sku LIKE 'CRASH-%'");
    expect(Number(count)).toBe(createdIds.length);
  });

  it('on SIGTERM a worker stops taking jobs, finishes the batch in hand and exits 0: no job is left active', async () => {
    const feature = api.app.get(WriteBehindRegistry).get('products')!;
    tap.setLatency(150);
    const writes = Array.from({ length: 300 }, (_, i) =>
      api.app.inject({
        method: 'PUT',
        url: `/products/${(i % KEYS) + 1}`,
        payload: { sku: `DEMO-${String((i % KEYS) + 1).padStart(7, '0')}`, name: 'Before SIGTERM', priceMinor: 1, currency: 'EUR', stock: 1 },
      }),
    );
    expect((await Promise.all(writes)).every((res) => res.statusCode === 200)).toBe(true);
    const running = workers[workers.length - 1];
    await waitFor(async () => (await feature.snapshot()).active > 0, 10_000, 'a batch in hand');
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('closed write-behind:products');
    // The batch in hand was finished, not abandoned to the stalled-job check.
    expect((await feature.snapshot()).active).toBe(0);

    tap.setLatency(0);
    workers.push(await spawnApp(workerEnv()));
    await started(workers[workers.length - 1]);
    await writesFlushed(api.app, 30_000);
    const [{ count }] = await shared.sql<{ count: string }>("SELECT count(*) FROM products WHERE name = 'Before SIGTERM'");
    expect(Number(count)).toBe(KEYS);
  });
});
