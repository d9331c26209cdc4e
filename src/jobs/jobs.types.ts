import type { ModuleMetadata } from '@nestjs/common';

/**
 * One job queue, as a feature declares it with `JobsModule.forFeature()`.
 * Each option layers over the kit default (`JOBS_*`), feature over module.
 */
export interface JobQueueOptions {
  /** Queue name; also the name in `@Processor(name)`, `@InjectJobProducer(name)` and `/admin/dead-letters/<name>`. */
  readonly name: string;
  /** Attempts, the first included, before a job becomes a dead letter. @default JOBS_ATTEMPTS (5) */
  readonly attempts?: number;
  /** Equal-jitter exponential backoff between attempts. @default JOBS_BACKOFF_BASE_MS (1000) / JOBS_BACKOFF_CAP_MS (60000) */
  readonly backoff?: { readonly baseMs?: number; readonly capMs?: number };
  /** Jobs the worker runs at once in this process. @default JOBS_CONCURRENCY (4) */
  readonly concurrency?: number;
  /** Retries may be at most this share of the queue's first attempts over 10 s (at least 10); beyond it a retry waits the backoff cap. @default JOBS_RETRY_BUDGET_PERCENT / 100 (0.2) */
  readonly retryBudgetRatio?: number;
  /**
   * The classification hook: errors no retry can fix (a 4xx answer, bad
   * data). True = the job fails at once and becomes a dead letter. BullMQ's
   * `UnrecoverableError` always does, whatever this says.
   * @default () => false
   */
  readonly isUnrecoverable?: (error: Error) => boolean;
  /** Modules exporting what the queue's factories inject, when not global. @default [] */
  readonly imports?: ModuleMetadata['imports'];
}

/** Every option of one queue with its value (kit defaults under the feature's). */
export interface ResolvedJobQueueOptions {
  readonly name: string;
  readonly attempts: number;
  readonly backoff: { readonly baseMs: number; readonly capMs: number };
  readonly concurrency: number;
  readonly retryBudgetRatio: number;
  readonly lockDurationMs: number;
  readonly isUnrecoverable: (error: Error) => boolean;
}
