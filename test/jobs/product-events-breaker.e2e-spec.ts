import { productBody } from '../support/problem-expectations';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { JobsRegistry } from '../../src/jobs';

/**
 * A receiver that is down trips the webhook's breaker; while it is open the
 * queue is paused (BullMQ's manual rate limit): no attempt is spent and the
 * receiver sees one probe per open period, not a retry storm. Once it is
 * back, every event arrives once.
 */
describe('product events: an open breaker pauses the queue (e2e)', () => {
  let t: TestApp;
  const receiver = new WebhookReceiver();
  beforeAll(async () => {
    const url = await receiver.start();
    t = await startTestApp({
      env: {
        PRODUCT_EVENTS_WEBHOOK_URL: url,
        JOBS_ATTEMPTS: '5',
        JOBS_BACKOFF_BASE_MS: '100',
        JOBS_BACKOFF_CAP_MS: '400',
        PRODUCT_EVENTS_BREAKER_MIN_CALLS: '2',
        PRODUCT_EVENTS_BREAKER_FAILURE_PERCENT: '50',
        PRODUCT_EVENTS_BREAKER_OPEN_MS: '1000',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('down for 4 s: a handful of requests and no dead letter, where 6 events × 5 attempts would burn out in 1.5 s; then each arrives once', async () => {
    receiver.answer = () => 503;
    const ids: number[] = [];
    for (const name of ['B1', 'B2', 'B3', 'B4', 'B5', 'B6']) {
      const res = await t.app.inject({ method: 'POST', url: '/products', payload: productBody({ name }) });
      ids.push(res.json<{ id: number }>().id);
    }
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const entry = t.app.get(JobsRegistry).get('product-events')!;
    expect(entry.stats.dead).toBe(0);
    expect((await entry.depth()).failed).toBe(0);
    // The first attempts that tripped the breaker, then about one probe per open second.
    expect(receiver.deliveries.length).toBeLessThanOrEqual(12);

    receiver.answer = () => 200;
    const keys = ids.map((id) => `product:${id}:v1`);
    await waitFor(() => keys.every((key) => receiver.accepted(key) === 1), 15_000, 'every event after the recovery');
    expect(entry.stats.dead).toBe(0);
  });
});
