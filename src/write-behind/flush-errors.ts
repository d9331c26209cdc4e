import { isUnavailableError } from '../database';
import type { WriteJobRow } from './write-behind.types';
import type { PendingOp } from './write-state';

/**
 * How a failed flush is handled:
 * - `unavailable`: the database could not be reached or gave up (SQLSTATE 08,
 *   53, 57P, 57014, socket errors): the whole batch is retried later;
 * - `row-retryable`: a row conflicts with another row for now (23505 unique
 *   violation: a pending rename or delete of the other row may land first);
 *   the batch is split so its neighbours land, the row is retried;
 * - `row-fatal`: the row itself is invalid for the table (class 22 data
 *   exception, class 23 integrity violation other than 23505, 21 cardinality):
 *   split out, then failed at once without retry (a dead letter);
 * - `unknown`: anything else: retried as a whole batch.
 */
export type FlushErrorClass = 'unavailable' | 'row-retryable' | 'row-fatal' | 'unknown';

/** Classifies a database error; see {@link FlushErrorClass}. */
export function classifyFlushError(error: unknown): FlushErrorClass {
  if (isUnavailableError(error) || isUnavailableError((error as { cause?: unknown } | null)?.cause)) return 'unavailable';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return 'unknown';
  if (code === '23505') return 'row-retryable';
  if (code.startsWith('22') || code.startsWith('23') || code.startsWith('21')) return 'row-fatal';
  return 'unknown';
}

/** SQLSTATE of a database error, for dead-letter reasons; `E_UNKNOWN` when there is none. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'E_UNKNOWN';
}

/** The claim of a batch failed in Redis, or its replicas did not confirm it: nothing was flushed, and not because of the rows. */
export class ClaimFailure extends Error {
  constructor(readonly error: unknown) {
    super((error as Error)?.message ?? String(error), { cause: error });
  }
}

/** A row of a job failed to flush: its row, the op that was flushed, and the database's error. */
export interface RowFailure {
  readonly row: WriteJobRow;
  /** Absent when the failure was the batch's, not the row's (the batch could not even settle). */
  readonly op?: PendingOp;
  readonly error: unknown;
}

/** Rows of a job failed to flush (the others landed). */
export class RowFailures extends Error {
  constructor(readonly failures: readonly RowFailure[]) {
    const { error } = failures[0];
    super((error as Error)?.message ?? String(error), { cause: error });
  }
}
