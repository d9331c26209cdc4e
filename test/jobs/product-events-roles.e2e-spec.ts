import { productBody } from '../support/problem-expectations';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { JobsRegistry } from '../../src/jobs';

/**
 * Where product events run: an `api` process queues them and runs no
 * processor; a `worker` process on the same Redis delivers them. Without
 * PRODUCT_EVENTS_WEBHOOK_URL, nothing is queued.
 */
describe('product events: roles and the off switch (e2e)', () => {
  const receiver = new WebhookReceiver();
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await receiver.stop();
  });

  it('APP_ROLE=api queues without delivering; a worker on the same queue delivers once', async () => {
    const url = await receiver.start();
    const api = await startTestApp({ env: { APP_ROLE: 'api', PRODUCT_EVENTS_WEBHOOK_URL: url } });
    apps.push(api);
    const res = await api.app.inject({ method: 'POST', url: '/products', payload: productBody({ name: 'Split' }) });
    expect(res.statusCode).toBe(201);
    const key = `product:${res.json<{ id: number }>().id}:v1`;
    const entry = api.app.get(JobsRegistry).get('product-events')!;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.of(key)).toEqual([]);
    expect(await entry.depth()).toMatchObject({ waiting: 1, active: 0 });

    const worker = await startTestApp({
      env: { APP_ROLE: 'worker', PRODUCT_EVENTS_WEBHOOK_URL: url, DATABASE_SCHEMA: api.schema, REDIS_KEY_PREFIX: api.keyPrefix },
    });
    apps.push(worker);
    await waitFor(() => receiver.accepted(key) === 1, 10_000, 'the delivery by the worker process');
    expect(receiver.of(key)).toHaveLength(1);
  });

  it('without PRODUCT_EVENTS_WEBHOOK_URL nothing is queued', async () => {
    const off = await startTestApp();
    apps.push(off);
    expect((await off.app.inject({ method: 'POST', url: '/products', payload: productBody({ name: 'Quiet' }) })).statusCode).toBe(201);
    const entry = off.app.get(JobsRegistry).get('product-events')!;
    expect(entry.stats.added).toBe(0);
    expect(await entry.depth()).toMatchObject({ waiting: 0, delayed: 0, active: 0, completed: 0 });
  });
});
