import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { BreakerOpenError, InjectPolicy, type ResiliencePolicy } from '../../resilience';
import { PRODUCT_EVENTS_POLICY, PRODUCT_EVENTS_QUEUE } from './product-events.constants';
import { WebhookDeliveryError } from './product-events.errors';
import type { ProductEvent } from './product-events.types';
import { WebhookClient } from './webhook.client';

/** What the processor needs of the queue's worker: BullMQ's manual rate limit. */
type RateLimitable = Pick<Worker, 'rateLimit'>;

/**
 * Delivers one product event (APP_ROLE worker|all) through the
 * `product-events-webhook` policy (timeout, breaker). A 5xx, no answer or a
 * timeout fails the attempt: retried with the jobs kit's spaced, jittered
 * backoff, then a dead letter. A 4xx (but 408/429) is `UnrecoverableError`:
 * a dead letter at once.
 *
 * An open breaker pauses the whole queue with BullMQ's manual rate limit
 * (`worker.rateLimit` + `Worker.RateLimitError`, as write-behind does for an
 * unreachable database) rather than `moveToDelayed` + `DelayedError` per job:
 * every job of this queue goes to the one receiver the breaker guards, so
 * one key in Redis holds back every worker of every pod, attempts untouched,
 * where delaying job by job would fetch and postpone each job of the backlog
 * in turn (a round trip each) and bring them all back at the same moment.
 */
@Processor(PRODUCT_EVENTS_QUEUE)
export class ProductEventsProcessor extends WorkerHost {
  constructor(
    private readonly webhook: WebhookClient,
    @InjectPolicy(PRODUCT_EVENTS_POLICY) private readonly policy: ResiliencePolicy,
  ) {
    super();
  }

  /** `signal`: BullMQ's cancellation (a shutdown past its bound); the delivery is aborted, not counted as a receiver failure. */
  async process(job: Job<ProductEvent>, _token?: string, signal?: AbortSignal): Promise<void> {
    await deliver(job, this.worker, this.policy, this.webhook, signal);
  }
}

/** The body of {@link ProductEventsProcessor.process}, apart for unit tests. */
export async function deliver(
  job: Job<ProductEvent>,
  worker: RateLimitable,
  policy: Pick<ResiliencePolicy, 'execute'>,
  webhook: Pick<WebhookClient, 'deliver'>,
  cancel?: AbortSignal,
): Promise<void> {
  try {
    await policy.execute((signal) => webhook.deliver(job.data, job.id!, signal), { signal: cancel });
  } catch (error) {
    if (error instanceof BreakerOpenError) {
      await worker.rateLimit(Math.max(error.retryAfterMs, 100));
      throw Worker.RateLimitError();
    }
    if (error instanceof WebhookDeliveryError && error.permanent) throw new UnrecoverableError(`HTTP_${error.status}: ${error.message}`);
    throw error;
  }
}
