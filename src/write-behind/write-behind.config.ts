import { z } from 'zod';
import { defineConfig, type ConfigOf, intVar } from '../config';

/** What a write does while the queue's Redis is unreachable. */
export const WRITE_PATH_MODES = ['reject', 'sync'] as const;
export type WritePathMode = (typeof WRITE_PATH_MODES)[number];

/**
 * Write-behind: writes are recorded in Redis and a BullMQ queue, and workers
 * move them to PostgreSQL in batches. Defaults suit a pod with a few cores;
 * every value applies to each feature's queue.
 */
export const writeBehindConfig = defineConfig(
  'write-behind',
  z.object({
    WRITE_BEHIND_BATCH_SIZE: intVar(200, 1, 5000).describe(
      'Most rows one flush writes (one multi-row upsert; a job of more rows goes alone); also the jobs a worker holds at once.',
    ),
    WRITE_BEHIND_FLUSH_INTERVAL_MS: intVar(20, 1, 60_000).describe(
      'Longest a job waits in the worker for its batch to fill before it is flushed anyway (once the batch in flight is done).',
    ),
    WRITE_BEHIND_GROUP_MAX_WRITES: intVar(100, 1, 1000).describe(
      'Group commit: the writes of one process that arrive together are checked and recorded in one Redis script call, their jobs added in one round trip and confirmed by one WAIT; at most this many per group (1 = one write at a time).',
    ),
    WRITE_BEHIND_GROUP_WINDOW_MS: intVar(0, 0, 50).describe(
      'How long a group gathers writes after its first: 0 = the writes that arrive in the same event-loop turn (no added latency); more = that many ms.',
    ),
    WRITE_BEHIND_WORKERS: intVar(1, 1, 64).describe('Batching workers per feature queue in this process (APP_ROLE worker or all).'),
    WRITE_BEHIND_ATTEMPTS: intVar(5, 1, 100).describe('Attempts of a job (the first one included) before it becomes a dead letter.'),
    WRITE_BEHIND_BACKOFF_BASE_MS: intVar(500, 1).describe(
      'Exponential backoff between attempts: equal jitter, a delay in [c/2, c] with c = min(cap, base × 2^(attempt-1)), so delays grow.',
    ),
    WRITE_BEHIND_BACKOFF_CAP_MS: intVar(30_000, 1).describe('Cap of one backoff delay; also the delay of a retry deferred by the retry budget.'),
    WRITE_BEHIND_RETRY_BUDGET_PERCENT: intVar(20, 0, 100).describe(
      'Retries may be at most this share of the first attempts of the last 10 s (at least 10 per window); beyond it a retry waits the cap.',
    ),
    WRITE_BEHIND_REDIS_DOWN_MODE: z
      .enum(WRITE_PATH_MODES)
      .default('reject')
      .describe('While the queue Redis is down: reject (503 + Retry-After) or sync (the same write straight to PostgreSQL).'),
    WRITE_BEHIND_OUTAGE_PAUSE_CAP_MS: intVar(2000, 10, 60_000).describe(
      'While PostgreSQL is unreachable, workers hand their jobs back (no attempt used) and pause, from the backoff base doubling up to this; one batch probes after each pause, so the backlog starts landing within about this long of the end of an outage.',
    ),
    WRITE_BEHIND_LOCK_DURATION_MS: intVar(4000, 500).describe(
      "A job whose worker stopped renewing its lock this long (a crash) is handed to another worker; the stalled check runs every quarter of it (one check can be skipped when the dead worker ran the last), so a dead worker's jobs move on within 1.5 × this.",
    ),
    WRITE_BEHIND_BACKLOG_ALERT_ROWS: intVar(100_000, 1).describe(
      'Readiness details and metrics flag the backlog (not readiness itself) once this many rows have a write PostgreSQL does not have yet (queued, retrying or being flushed).',
    ),
    WRITE_BEHIND_BACKLOG_ALERT_AGE_MS: intVar(60_000, 1).describe('… or once the oldest waiting or active job (the rows of one group commit) is this old.'),
    WRITE_BEHIND_ID_BLOCK: intVar(1000, 10, 100_000).describe(
      'New ids are reserved from the PostgreSQL sequence this many at a time, ahead of the requests that use them.',
    ),
    WRITE_BEHIND_RECONCILE_EVERY_MS: intVar(5_000, 100).describe(
      'The reconciler (schedule write-behind-reconcile:<entity>, once per fleet, on worker processes) looks this often for recorded writes whose job never reached the queue (Redis died between the two) and adds them.',
    ),
    WRITE_BEHIND_KEEP_DEAD_LETTERS: intVar(10_000, 0).describe('Most dead letters kept per queue (the oldest are dropped beyond it).'),
  }),
  (env) => ({
    batchSize: env.WRITE_BEHIND_BATCH_SIZE,
    flushIntervalMs: env.WRITE_BEHIND_FLUSH_INTERVAL_MS,
    workers: env.WRITE_BEHIND_WORKERS,
    groupMaxWrites: env.WRITE_BEHIND_GROUP_MAX_WRITES,
    groupWindowMs: env.WRITE_BEHIND_GROUP_WINDOW_MS,
    attempts: env.WRITE_BEHIND_ATTEMPTS,
    backoffBaseMs: env.WRITE_BEHIND_BACKOFF_BASE_MS,
    backoffCapMs: Math.max(env.WRITE_BEHIND_BACKOFF_CAP_MS, env.WRITE_BEHIND_BACKOFF_BASE_MS),
    retryBudgetRatio: env.WRITE_BEHIND_RETRY_BUDGET_PERCENT / 100,
    redisDownMode: env.WRITE_BEHIND_REDIS_DOWN_MODE,
    outagePauseCapMs: env.WRITE_BEHIND_OUTAGE_PAUSE_CAP_MS,
    lockDurationMs: env.WRITE_BEHIND_LOCK_DURATION_MS,
    backlogAlertRows: env.WRITE_BEHIND_BACKLOG_ALERT_ROWS,
    backlogAlertAgeMs: env.WRITE_BEHIND_BACKLOG_ALERT_AGE_MS,
    idBlock: env.WRITE_BEHIND_ID_BLOCK,
    keepDeadLetters: env.WRITE_BEHIND_KEEP_DEAD_LETTERS,
    reconcileEveryMs: env.WRITE_BEHIND_RECONCILE_EVERY_MS,
  }),
);
export type WriteBehindConfig = ConfigOf<typeof writeBehindConfig>;
