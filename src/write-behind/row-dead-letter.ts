import type { Logger } from '@nestjs/common';
import type { FeatureQueue } from './feature-queue';
import { errorCode } from './flush-errors';
import type { WriteJobData, WriteJobRow } from './write-behind.types';
import type { PendingOp } from './write-state';

/**
 * A row failed for good (counted, logged): the dead letter's data, the failed op (or, for a
 * failure that names no op, the row's pending one, as the job carries no state) and the reason.
 */
export async function rowDeadLetter(
  feature: FeatureQueue,
  logger: Pick<Logger, 'warn'>,
  jobId: string,
  row: WriteJobRow,
  failed: PendingOp | undefined,
  error: unknown,
): Promise<WriteJobData> {
  feature.stats.counters.deadLettered++;
  const reason = { code: errorCode(error), message: (error as Error)?.message ?? String(error) };
  logger.warn({ jobId, reason }, 'write became a dead letter');
  const op = failed ?? (await feature.state.pending([row.id]).catch(() => undefined))?.get(row.id);
  if (!op) return { rows: [row], reason };
  const meta = op.kind === 'upsert' ? op.meta : '';
  return { rows: [{ id: op.id, kind: op.kind, version: op.version, meta }], state: op.kind === 'upsert' ? op.state : undefined, reason };
}

/** Once its dead letter is kept: the row's Redis state goes back to what PostgreSQL holds (unless a newer write came). */
export async function correctToDatabase(feature: FeatureQueue, logger: Pick<Logger, 'warn'>, letter: WriteJobData): Promise<void> {
  const { state, store } = feature;
  const { id, version } = letter.rows[0];
  try {
    const truth = await store.currentState(id);
    if (await state.correct(id, version, truth)) await store.onStateCorrected?.(id);
  } catch (error) {
    logger.warn({ err: { message: (error as Error).message } }, `could not correct the state of ${id} after a dead letter`);
  }
}
