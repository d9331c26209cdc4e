/** What every dead letter shows operators, whatever its queue; sources add their own fields. */
export interface DeadLetterView {
  readonly jobId: string;
  /** Error code and message of the last attempt (for operators: never sent to API clients). */
  readonly reason: { readonly code: string; readonly message: string };
  readonly attempts: number;
  readonly enqueuedAt: string;
  readonly failedAt: string | null;
}

/**
 * A kind of queue whose failed jobs are dead letters: write-behind entities,
 * job queues. Each registers with `DeadLetters` (one API for operators, the
 * admin routes under `/admin/dead-letters`). Unknown ids reject with a
 * 404-class `ApiError`; a replay the source refuses, with a 409-class one.
 */
export interface DeadLetterSource {
  /** The queue names this source holds. */
  queues(): readonly string[];
  count(queue: string): Promise<number>;
  /** The newest first. */
  list(queue: string, offset: number, limit: number): Promise<DeadLetterView[]>;
  show(queue: string, jobId: string): Promise<DeadLetterView>;
  /** Queues the job again with fresh attempts. */
  replay(queue: string, jobId: string): Promise<DeadLetterView>;
  /** Drops it for good. */
  discard(queue: string, jobId: string): Promise<void>;
}
