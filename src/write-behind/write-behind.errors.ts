import { ApiError, ConflictError, DependencyUnavailableError, ResourceNotFoundError } from '../http';
import type { FormatProblem } from './write-state.format';

/**
 * 503: the write could not be queued (Redis unreachable in `reject` mode, or the
 * queue refused it); nothing of it was kept. `code` stays E_DEPENDENCY_UNAVAILABLE
 * (the 503 family); the detail says which part failed.
 */
export class WriteQueueUnavailableError extends DependencyUnavailableError {
  constructor(detail: string, cause?: unknown) {
    super(detail, { cause, retryAfterSeconds: 1 });
  }
}

/**
 * 503: the queue Redis replicas did not confirm the write in time (REDIS_QUEUE_MIN_REPLICAS);
 * it was kept and may land: its outcome is unknown to the client (see `WriteBehind.confirmReplicas`).
 */
export class UnconfirmedWriteError extends WriteQueueUnavailableError {
  constructor(cause: unknown) {
    super(
      'The write was not confirmed by the queue Redis replicas in time: it may or may not be kept. Try again shortly (read first: a retry naming an old version gets 409).',
      cause,
    );
  }
}

/**
 * 422: a write that the write state cannot carry (see `encodeWrite`: ids and
 * versions that are not safe integers, the separator in `meta`, lone
 * surrogates, a state JSON cannot hold); refused before any Redis call, nothing
 * kept. A feature's DTO should refuse such input first, with a 400: this is the
 * kit's own check, for callers that skipped it. `errors[].pointer` names the
 * field of the write request (`#/meta`, `#/state`).
 */
export class UnwritableValueError extends ApiError {
  readonly status = 422;
  readonly code = 'E_UNWRITABLE_VALUE';
  readonly title = 'Unprocessable write';

  constructor(entity: string, problems: readonly FormatProblem[]) {
    super(`This ${entity} write cannot be stored: ${problems.map((p) => `${p.field} ${p.detail}`).join('; ')}.`, {
      errors: problems.map((p) => ({ pointer: `#/${p.field}`, detail: p.detail })),
    });
  }
}

/** 404: no dead letter with this id in this queue. */
export class DeadLetterNotFoundError extends ResourceNotFoundError {
  constructor(entity: string, jobId: string) {
    super(`Queue "${entity}" has no dead letter "${jobId}".`);
  }
}

/** 409: a dead letter cannot be replayed because a newer write or another row now holds its place. */
export class DeadLetterConflictError extends ConflictError {
  override readonly code = 'E_DEAD_LETTER_CONFLICT';

  constructor(detail: string) {
    super(detail);
  }
}

/** Thrown at boot: two features registered the same entity. */
export class DuplicateWriteBehindEntityError extends Error {
  readonly code = 'E_WRITE_BEHIND_DUPLICATE_ENTITY';

  constructor(entity: string) {
    super(`Write-behind entity "${entity}" is registered twice: give each WriteBehindModule.forFeature() its own entity.`);
  }
}

/** Why a flush of one row failed, as kept on its dead letter. */
export class RowFlushError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RowFlushError';
  }
}
