import { productBody } from '../support/problem-expectations';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { JobsRegistry } from '../../src/jobs';
import { Queue } from 'bullmq';
import { bullPrefix } from '../../src/redis';
import { ShutdownSequence } from '../../src/lifecycle';
import { TEST_REDIS_URL } from '../support/services';

/**
 * Shutdown of the job workers (`queues` phase): the job in hand finishes
 * before the process closes its connections; a job that does not finish
 * within SHUTDOWN_STEP_TIMEOUT_MS is abandoned (it runs again elsewhere once
 * its lock expires) instead of holding the process.
 */
describe('jobs: graceful, bounded shutdown (e2e)', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close().catch(() => undefined);
    t = undefined;
  });
  afterAll(() => receiver.stop());

  const inHand = async (holdMs: number, stepTimeoutMs: number): Promise<{ key: string; closedInMs: number; entry: ReturnType<JobsRegistry['get']> }> => {
    const url = await receiver.start();
    receiver.hold = holdMs;
    t = await startTestApp({ env: { PRODUCT_EVENTS_WEBHOOK_URL: url, SHUTDOWN_STEP_TIMEOUT_MS: String(stepTimeoutMs), PRODUCT_EVENTS_TIMEOUT_MS: '10000' } });
    const res = await t.app.inject({ method: 'POST', url: '/products', payload: productBody({ name: 'In hand' }) });
    const key = `product:${res.json<{ id: number }>().id}:v1`;
    await waitFor(() => receiver.arrived(key), 10_000, 'the delivery to start');
    const entry = t.app.get(JobsRegistry).get('product-events');
    const startedAt = Date.now();
    await t.app.close();
    return { key, closedInMs: Date.now() - startedAt, entry };
  };

  it('finishes the job in hand before closing', async () => {
    const { key, entry } = await inHand(600, 5_000);
    expect(receiver.accepted(key)).toBe(1);
    expect(entry!.stats.completed).toBe(1);
    expect(t!.app.get(ShutdownSequence).abandoned).toEqual([]);
  });

  it('gives up on a job that outlasts SHUTDOWN_STEP_TIMEOUT_MS: cancelled, still active (no attempt spent), for another worker once its lock expires', async () => {
    const { key, closedInMs, entry } = await inHand(5_000, 400);
    expect(closedInMs).toBeLessThan(3_000);
    expect(entry!.stats).toMatchObject({ completed: 0, failed: 0 });
    const queue = new Queue('product-events', { connection: { url: TEST_REDIS_URL }, prefix: bullPrefix(t!.keyPrefix, 'product-events') });
    try {
      const job = await queue.getJob(key);
      expect(await job!.getState()).toBe('active');
      expect(job!.attemptsMade).toBe(0);
    } finally {
      await queue.close();
    }
  });
});
