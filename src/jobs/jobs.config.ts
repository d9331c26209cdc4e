import { z } from 'zod';
import { defineConfig, type ConfigOf, intVar } from '../config';

/**
 * Background jobs (`JobsModule`): the defaults of every job queue, which a
 * feature's `JobsModule.forFeature({ name, attempts, backoff, … })` layers over.
 */
export const jobsConfig = defineConfig(
  'jobs',
  z.object({
    JOBS_ATTEMPTS: intVar(5, 1, 100).describe('Attempts of a job (the first one included) before it becomes a dead letter.'),
    JOBS_BACKOFF_BASE_MS: intVar(1000, 1).describe(
      'Exponential backoff between attempts: equal jitter, a delay in [c/2, c] with c = min(cap, base × 2^(attempt-1)), so retries are spaced and spread.',
    ),
    JOBS_BACKOFF_CAP_MS: intVar(60_000, 1).describe('Cap of one backoff delay.'),
    JOBS_RETRY_BUDGET_PERCENT: intVar(20, 0, 100).describe(
      'Retries of a queue may be at most this share of its first attempts over the last 10 s (at least 10 per window, per process); beyond it a retry waits the backoff cap, so a receiver that fails for everyone gets no retry storm.',
    ),
    JOBS_CONCURRENCY: intVar(4, 1, 1000).describe("Jobs one queue's worker runs at once in this process (APP_ROLE worker or all)."),
    JOBS_LOCK_DURATION_MS: intVar(30_000, 500).describe(
      'A job whose worker stopped renewing its lock this long (a crash) runs again elsewhere, within 1.5 × this (the stalled check runs every quarter of it).',
    ),
    JOBS_ENQUEUE_TIMEOUT_MS: intVar(1000, 10).describe('Longest an enqueue waits for Redis before it is reported failed.'),
    JOBS_KEEP_COMPLETED_S: intVar(3600, 0).describe(
      'Completed jobs are kept this long, so that an enqueue with the same idempotency key (job id) within it adds nothing.',
    ),
    JOBS_KEEP_DEAD_LETTERS: intVar(10_000, 0).describe('Most dead letters (failed jobs) kept per queue (the oldest are dropped beyond it).'),
  }),
  (env) => ({
    attempts: env.JOBS_ATTEMPTS,
    backoff: { baseMs: env.JOBS_BACKOFF_BASE_MS, capMs: Math.max(env.JOBS_BACKOFF_CAP_MS, env.JOBS_BACKOFF_BASE_MS) },
    concurrency: env.JOBS_CONCURRENCY,
    retryBudgetRatio: env.JOBS_RETRY_BUDGET_PERCENT / 100,
    lockDurationMs: env.JOBS_LOCK_DURATION_MS,
    enqueueTimeoutMs: env.JOBS_ENQUEUE_TIMEOUT_MS,
    keepCompletedS: env.JOBS_KEEP_COMPLETED_S,
    keepDeadLetters: env.JOBS_KEEP_DEAD_LETTERS,
  }),
);
export type JobsConfig = ConfigOf<typeof jobsConfig>;
