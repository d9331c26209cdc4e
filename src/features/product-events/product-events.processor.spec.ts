import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { BreakerOpenError } from '../../resilience';
import { WebhookDeliveryError } from './product-events.errors';
import { deliver } from './product-events.processor';
import type { ProductEvent } from './product-events.types';

describe('product events: one delivery', () => {
  const job = { id: 'product:7:v3', data: { id: 7, version: 3, kind: 'updated' } } as Job<ProductEvent>;
  const worker = () => ({ rateLimit: jest.fn(() => Promise.resolve()) });
  const policy = (error?: unknown) =>
    ({
      execute: jest.fn(async (fn: (signal: AbortSignal) => unknown) => (error ? Promise.reject(error as Error) : fn(new AbortController().signal))),
    }) as never;

  it('delivers with the job id as idempotency key', async () => {
    const webhook = { deliver: jest.fn(() => Promise.resolve()) };
    await deliver(job, worker(), policy(), webhook);
    expect(webhook.deliver).toHaveBeenCalledWith(job.data, 'product:7:v3', expect.any(AbortSignal));
  });

  it('an open breaker pauses the queue for its retry-after and hands the job back, no attempt used', async () => {
    const w = worker();
    await expect(deliver(job, w, policy(new BreakerOpenError('product-events-webhook', 'open', 4000)), { deliver: jest.fn() })).rejects.toMatchObject({
      name: Worker.RateLimitError().name,
    });
    expect(w.rateLimit).toHaveBeenCalledWith(4000);
  });

  it('a 4xx is unrecoverable (a dead letter at once); 408, 429, 5xx and no answer are retried', async () => {
    const failing = (status: number | undefined) => deliver(job, worker(), policy(new WebhookDeliveryError(status, `HTTP ${status}`)), { deliver: jest.fn() });
    await expect(failing(422)).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failing(422)).rejects.toThrow(/^HTTP_422: /);
    for (const status of [408, 429, 500, 503, undefined]) await expect(failing(status)).rejects.toBeInstanceOf(WebhookDeliveryError);
  });
});
