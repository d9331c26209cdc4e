import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { getJobProducerToken, JobEnqueueError, type JobProducer } from '../../src/jobs';
import { JobsRegistry } from '../../src/jobs/jobs.registry';
import { TEST_REDIS_URL } from '../support/services';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';

jest.setTimeout(60_000);

/**
 * An enqueue while the queue's Redis is unreachable fails at once with the 503 problem
 * (`JobEnqueueError`, E_DEPENDENCY_UNAVAILABLE), instead of waiting JOBS_ENQUEUE_TIMEOUT_MS in the
 * connection's offline queue; once Redis answers again, enqueues go through. The app reaches Redis
 * through a TCP proxy, which the test cuts (the shared Redis is never touched).
 */
describe('enqueue while Redis is down (e2e)', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let producer: JobProducer<{ id: number; version: number; kind: string }>;

  beforeAll(async () => {
    const target = new URL(TEST_REDIS_URL);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
    t = await startTestApp({
      env: {
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        JOBS_ENQUEUE_TIMEOUT_MS: '3000',
        // Reconnection attempts spaced out, as in a longer outage: without the check an enqueue would wait in the offline queue.
        REDIS_RETRY_MAX_DELAY_MS: '2000',
        APP_ROLE: 'api',
        PRODUCT_EVENTS_WEBHOOK_URL: 'http://127.0.0.1:9/unused',
      },
    });
    producer = t.app.get(getJobProducerToken('product-events'), { strict: false });
  });
  afterAll(async () => {
    proxy?.restore();
    await t?.close();
    await proxy?.close();
  });

  it('fails at once with a 503 while the connection is down, and goes through once it is back', async () => {
    await producer.add('probe:1:v1', { id: 1, version: 1, kind: 'upsert' });
    const entry = t.app.get(JobsRegistry).get('product-events')!;

    proxy.cutAll();
    await waitFor(() => !entry.reachable, 5_000, 'the queue connection to notice the cut');
    // A few failed reconnections later, they are up to 2 s apart: a command in the offline queue would wait for the next.
    await sleep(3_000);
    const startedAt = performance.now();
    const error = await producer.add('probe:2:v1', { id: 2, version: 1, kind: 'upsert' }).catch((e: unknown) => e);
    const tookMs = performance.now() - startedAt;
    expect(error).toBeInstanceOf(JobEnqueueError);
    expect(error).toMatchObject({ status: 503, code: 'E_DEPENDENCY_UNAVAILABLE', headers: { 'retry-after': '1' } });
    // Not the 3 s enqueue timeout.
    expect(tookMs).toBeLessThan(50);
    expect(entry.stats.addFailures).toBe(1);

    proxy.restore();
    await waitFor(() => entry.reachable, 10_000, 'the queue connection to come back');
    await producer.add('probe:3:v1', { id: 3, version: 1, kind: 'upsert' });
    expect(await entry.queue.getJob('probe:3:v1')).toBeDefined();
  });
});
