import { UnrecoverableError } from 'bullmq';
import { equalJitterDelayMs, type RetryBudget } from '../resilience';
import { JOB_BACKOFF_TYPE } from './jobs.constants';

/** What {@link jobBackoffStrategy} needs of one queue. */
export interface JobBackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
  readonly isUnrecoverable: (error: Error) => boolean;
  /** The queue's retry budget (the resilience kit's): a retry it refuses is deferred to the cap. Absent: no budget. */
  readonly budget?: Pick<RetryBudget, 'tryRetry'>;
  /** Called for each retry the budget deferred (for the queue's counters). */
  readonly onDeferred?: () => void;
  /** Jitter source in [0, 1); tests pass a fixed one. @default Math.random */
  readonly random?: () => number;
}

/** BullMQ's "do not retry" answer of a custom backoff strategy: the job fails now. */
export const NO_RETRY = -1;

/** True for errors that must not be retried: BullMQ's `UnrecoverableError` (by name too, across copies of bullmq), or the queue's hook. */
export function isUnrecoverableJobError(error: Error | undefined, hook: (error: Error) => boolean): boolean {
  if (!error) return false;
  return error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || hook(error);
}

/**
 * The queue's `settings.backoffStrategy`: the delay before the next attempt
 * after `attemptsMade` failed ones (BullMQ passes 1 after the first) is the
 * kit's one formula, {@link equalJitterDelayMs}: in [c/2, c] with
 * c = min(cap, base × 2^(attemptsMade-1)), so delays grow and spread. An
 * error the hook calls unrecoverable answers {@link NO_RETRY}: the job fails
 * at once instead of spending its attempts. Each retry takes one from the
 * queue's retry budget; when it is spent the retry is deferred, as
 * write-behind's are: it waits the cap (jittered) instead of adding to the
 * load on a receiver that fails for everyone.
 */
export function jobBackoffStrategy(options: JobBackoffOptions): (attemptsMade: number, type?: string, error?: Error) => number {
  return (attemptsMade, type, error) => {
    // Jobs of kit queues always carry our type; anything else was added by hand with a type BullMQ does not know.
    if (type !== JOB_BACKOFF_TYPE) return NO_RETRY;
    if (isUnrecoverableJobError(error, options.isUnrecoverable)) return NO_RETRY;
    if (options.budget && !options.budget.tryRetry()) {
      options.onDeferred?.();
      return equalJitterDelayMs(0, options.capMs, options.capMs, options.random);
    }
    return equalJitterDelayMs(attemptsMade - 1, options.baseMs, options.capMs, options.random);
  };
}
