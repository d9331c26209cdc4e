import type { Job } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { productBody } from '../support/problem-expectations';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';
import { WriteBehindLifecycle } from '../../src/write-behind/write-behind.lifecycle';
import type { WriteJobData } from '../../src/write-behind/write-behind.types';

jest.setTimeout(60_000);

const OUTAGE_MS = 6_000;
const ATTEMPTS = 8;
const BASE_MS = 300;
const CAP_MS = 4_000;

/**
 * PostgreSQL cut off (TcpProxy) while writes keep coming. The outage is
 * 30 s; here it is 6 s with the backoff scaled down (base 300 ms, cap 4 s,
 * 8 attempts) so the file stays fast: the same shape is checked. Writes are
 * answered at once throughout; their jobs retry with growing, jittered
 * delays (failure timestamps of each job, as the worker reports them), never
 * more than the configured attempts, and every write lands once PostgreSQL is back.
 */
describe('write-behind: PostgreSQL down (e2e)', () => {
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    proxy = await TcpProxy.start('127.0.0.1', 5432);
    t = await startTestApp({
      env: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/test`,
        WRITE_BEHIND_ATTEMPTS: String(ATTEMPTS),
        WRITE_BEHIND_BACKOFF_BASE_MS: String(BASE_MS),
        WRITE_BEHIND_BACKOFF_CAP_MS: String(CAP_MS),
        // No deferral here: this test checks the backoff itself (the budget has its unit test).
        WRITE_BEHIND_RETRY_BUDGET_PERCENT: '100',
        DATABASE_CONNECT_TIMEOUT_MS: '500',
      },
    });
  });
  afterAll(async () => {
    proxy?.restore();
    await t?.close();
    await proxy?.close();
  });

  it('writes answer at once; jobs retry with growing jittered delays within the attempts; all land after recovery', async () => {
    const failures = new Map<string, number[]>();
    const worker = t.app.get(WriteBehindLifecycle, { strict: false }).worker!.bullWorkers[0]!;
    worker.on('failed', (job: Job<WriteJobData> | undefined) => {
      if (job) failures.set(job.id!, [...(failures.get(job.id!) ?? []), Date.now()]);
    });

    proxy.cutAll();
    const cutAt = Date.now();
    const created: number[] = [];
    for (let i = 0; i < 20; i++) {
      const startedAt = performance.now();
      const res = await t.app.inject({ method: 'POST', url: '/products', payload: productBody({ name: `During outage ${i}` }) });
      expect(res.statusCode).toBe(201);
      expect(performance.now() - startedAt).toBeLessThan(200);
      created.push(res.json<{ id: number }>().id);
      // The read model answers at once, PostgreSQL or not.
      expect((await t.app.inject({ method: 'GET', url: `/products/${created[i]}` })).json()).toMatchObject({ name: `During outage ${i}` });
    }
    await sleep(OUTAGE_MS - (Date.now() - cutAt));
    proxy.restore();
    await writesFlushed(t.app, 20_000);

    const rows = await t.sql<{ id: string }>('SELECT id FROM products WHERE id = ANY($1)', [created]);
    expect(rows).toHaveLength(20);

    expect(failures.size).toBeGreaterThan(0);
    const gapsByAttempt = new Map<number, number[]>();
    for (const times of failures.values()) {
      expect(times.length).toBeLessThan(ATTEMPTS); // it landed: fewer failures than attempts
      const gaps = times.slice(1).map((time, i) => time - times[i]!);
      gaps.forEach((gap, i) => {
        // Retry i+1 waited within [ceiling/2, ceiling] (+ batching and a failing connect).
        const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** i);
        expect(gap).toBeGreaterThanOrEqual(ceiling / 2 - 20);
        expect(gap).toBeLessThan(ceiling + 1_500);
        gapsByAttempt.set(i, [...(gapsByAttempt.get(i) ?? []), gap]);
      });
      // Growing: each wait at least about as long as the one before.
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]! - 300);
      expect(times.length).toBeGreaterThanOrEqual(3); // it did retry through the outage
    }
    // Jittered: jobs failing at the same attempt did not wait the same time.
    const spread = [...gapsByAttempt.values()].filter((gaps) => gaps.length > 3).map((gaps) => Math.max(...gaps) - Math.min(...gaps));
    expect(Math.max(...spread)).toBeGreaterThan(50);
  });
});
