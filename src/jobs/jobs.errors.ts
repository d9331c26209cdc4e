import { DependencyUnavailableError, ResourceNotFoundError } from '../http';

/** 503: a job could not be queued (Redis unreachable or too slow); nothing was added. */
export class JobEnqueueError extends DependencyUnavailableError {
  constructor(queue: string, cause?: unknown) {
    super(`The job could not be queued on "${queue}".`, { cause, retryAfterSeconds: 1 });
  }
}

/** Thrown at boot: two `JobsModule.forFeature()` (or a job queue and a write-behind entity) use one name. */
export class DuplicateJobQueueError extends Error {
  readonly code = 'E_JOBS_DUPLICATE_QUEUE';

  constructor(name: string) {
    super(`Job queue "${name}" is registered twice: give each JobsModule.forFeature() its own name.`);
  }
}

/** 404: no dead letter with this id in this queue (or no such queue). */
export class JobDeadLetterNotFoundError extends ResourceNotFoundError {
  constructor(queue: string, jobId: string) {
    super(`Queue "${queue}" has no dead letter "${jobId}".`);
  }
}
