import { get, spawnApp, type AppProcess } from '../support/app-process';
import { productBody } from '../support/problem-expectations';
import { SharedIsolation, stopProcess } from '../support/shared-isolation';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

jest.setTimeout(60_000);

/**
 * A worker process SIGKILLed while it delivers a product event: the job's
 * lock expires (JOBS_LOCK_DURATION_MS), the next worker's stalled check hands
 * it on, and it is delivered again with the same Idempotency-Key: the
 * receiver sees it twice and applies it once.
 */
describe('product events: a worker killed mid-job (e2e)', () => {
  const shared = new SharedIsolation();
  const receiver = new WebhookReceiver();
  const workers: AppProcess[] = [];
  let api: TestApp;
  let url: string;
  const workerEnv = () =>
    shared.env({ APP_ROLE: 'worker', PRODUCT_EVENTS_WEBHOOK_URL: url, PRODUCT_EVENTS_TIMEOUT_MS: '20000', JOBS_LOCK_DURATION_MS: '1000' });
  const started = (app: AppProcess) => waitFor(async () => (await get(`${app.url}/health/startup`, 1_000)).status === 200, 30_000, 'worker start-up');

  beforeAll(async () => {
    url = await receiver.start();
    api = await startTestApp({ env: shared.env({ APP_ROLE: 'api', PRODUCT_EVENTS_WEBHOOK_URL: url }) });
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopProcess(worker)));
    await api?.close();
    await receiver.stop();
    await shared.cleanup();
  });

  it('the job runs again on another worker; the receiver applies it once by key', async () => {
    const first = await spawnApp(workerEnv());
    workers.push(first);
    await started(first);
    receiver.hold = 10_000;
    const res = await api.app.inject({ method: 'POST', url: '/products', payload: productBody({ name: 'Crash' }) });
    const key = `product:${res.json<{ id: number }>().id}:v1`;
    await waitFor(() => receiver.arrived(key), 10_000, 'the delivery to start');
    first.child.kill('SIGKILL');
    await first.exited;

    receiver.hold = 0;
    const second = await spawnApp(workerEnv());
    workers.push(second);
    await started(second);
    await waitFor(() => receiver.accepted(key) === 1, 20_000, 'the delivery by the second worker');
    expect(receiver.arrivalsOf(key)).toBe(2);
    expect(receiver.of(key)).toHaveLength(1);
  });
});
