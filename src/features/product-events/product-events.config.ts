import { z } from 'zod';
import { defineConfig, type ConfigOf, intVar } from '../../config';
import type { PolicyOptions } from '../../resilience';

/**
 * Product events: where they are delivered (off when unset: nothing is
 * queued), and the `product-events-webhook` policy around each delivery.
 * Attempts and backoff are the jobs kit's (`JOBS_*`).
 */
export const productEventsConfig = defineConfig(
  'product-events',
  z.object({
    PRODUCT_EVENTS_WEBHOOK_URL: z
      .string()
      .refine((v) => v === '' || /^https?:\/\/[^\s]+$/.test(v), { error: 'must be empty (off) or an http:// or https:// URL' })
      .default('')
      .describe('Where product changes are POSTed as {id, version, kind} (headers Idempotency-Key, X-Product-Version); empty turns product events off.'),
    PRODUCT_EVENTS_TIMEOUT_MS: intVar(2000, 1).describe('A delivery taking longer is abandoned and retried with backoff.'),
    PRODUCT_EVENTS_BREAKER_MIN_CALLS: intVar(10, 1).describe("The receiver's breaker does not open on fewer deliveries than this in its 30 s window."),
    PRODUCT_EVENTS_BREAKER_FAILURE_PERCENT: intVar(50, 1, 100).describe('The breaker opens when this share (%) of the deliveries in its window failed.'),
    PRODUCT_EVENTS_BREAKER_OPEN_MS: intVar(10_000, 10).describe(
      'How long the open breaker pauses the queue (no attempt used) before one delivery probes the receiver.',
    ),
  }),
  (env) => ({
    webhookUrl: env.PRODUCT_EVENTS_WEBHOOK_URL === '' ? undefined : env.PRODUCT_EVENTS_WEBHOOK_URL,
    policy: {
      timeoutMs: env.PRODUCT_EVENTS_TIMEOUT_MS,
      breaker: {
        windowMs: 30_000,
        minimumCalls: env.PRODUCT_EVENTS_BREAKER_MIN_CALLS,
        failureRateThreshold: env.PRODUCT_EVENTS_BREAKER_FAILURE_PERCENT / 100,
        // A slow receiver shows as timeouts (failures); slowness alone does not open it.
        slowCallMs: env.PRODUCT_EVENTS_TIMEOUT_MS,
        slowCallRateThreshold: 1,
        openMs: env.PRODUCT_EVENTS_BREAKER_OPEN_MS,
        halfOpenProbes: 1,
      },
      // The worker's concurrency bounds the calls; BullMQ's attempts are the retries.
      bulkhead: { maxConcurrent: 0 },
      retry: { maxAttempts: 1 },
    } satisfies PolicyOptions,
  }),
);
export type ProductEventsConfig = ConfigOf<typeof productEventsConfig>;
