/** Counters of one job queue in this process (plain numbers: metrics read them on scrape). */
export class JobStats {
  /** Adds this process made (an add whose idempotency key still exists in the queue adds nothing, but counts here). */
  added = 0;
  /** Adds that failed (Redis unreachable or slower than JOBS_ENQUEUE_TIMEOUT_MS). */
  addFailures = 0;
  completed = 0;
  /** Failed attempts, retried or not. */
  failed = 0;
  /** Failed attempts that will run again after their backoff. */
  retried = 0;
  /** Retries the retry budget deferred to the backoff cap. */
  deferredRetries = 0;
  /** Jobs that became dead letters (out of attempts, or unrecoverable). */
  dead = 0;
  durationSumMs = 0;
  durationCount = 0;

  /** One finished attempt's processing time. */
  duration(ms: number): void {
    this.durationSumMs += ms;
    this.durationCount++;
  }
}
