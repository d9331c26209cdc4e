import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DeadLetters, type DeadLetterSource } from '../jobs';
import { DeadLetterConflictError, DeadLetterNotFoundError } from './write-behind.errors';
import type { FeatureQueue } from './feature-queue';
import { WriteBehindRegistry } from './write-behind.registry';
import { jobRows, type WriteJobData, type WriteOp } from './write-behind.types';

/** One dead letter: a write PostgreSQL did not take, with why, as operators see it (the `DeadLetterView` fields and the row's). */
export interface DeadLetter {
  readonly entity: string;
  readonly jobId: string;
  readonly id: number;
  readonly kind: WriteOp['kind'];
  readonly version: number;
  /** The row state that was to be written (upserts). */
  readonly state?: unknown;
  /** SQLSTATE or error code, and the database's message (for operators: never sent to API clients). */
  readonly reason: { readonly code: string; readonly message: string };
  readonly attempts: number;
  readonly enqueuedAt: string;
  readonly failedAt: string | null;
}

/**
 * Jobs out of attempts (or refused at once by the table), kept in each
 * queue's failed set (at most `WRITE_BEHIND_KEEP_DEAD_LETTERS`): list, show,
 * replay (after fixing the cause) and discard. One `DeadLetterSource` of the
 * jobs kit's `DeadLetters`, through which the admin API reaches it.
 */
@Injectable()
export class DeadLettersService implements DeadLetterSource, OnModuleInit {
  constructor(
    private readonly registry: WriteBehindRegistry,
    private readonly allDeadLetters: DeadLetters,
  ) {}

  /** Joins the one dead-letter API (the jobs kit's `DeadLetters`, global from `JobsModule.forRoot()`). */
  onModuleInit(): void {
    this.allDeadLetters.addSource(this);
  }

  /** The write-behind entities. */
  queues(): string[] {
    return this.registry.all().map((f) => f.entity);
  }

  count(entity: string): Promise<number> {
    return this.feature(entity).queue.getFailedCount();
  }

  /** Dead letters per entity. */
  async counts(): Promise<Record<string, number>> {
    const entries = await Promise.all(this.registry.all().map(async (f) => [f.entity, await f.queue.getFailedCount()] as const));
    return Object.fromEntries(entries);
  }

  /** The newest dead letters of `entity` first, `offset`/`limit` paged. */
  async list(entity: string, offset = 0, limit = 50): Promise<DeadLetter[]> {
    const feature = this.feature(entity);
    const jobs = await feature.queue.getFailed(offset, offset + limit - 1);
    return jobs.map((job) => toDeadLetter(entity, job));
  }

  async show(entity: string, jobId: string): Promise<DeadLetter> {
    return toDeadLetter(entity, await this.failedJob(this.feature(entity), jobId));
  }

  /**
   * Puts the dead letter's write back: its state becomes the row's state again
   * (refused when a newer write of the row exists, or another row now holds its
   * unique value) and the job is queued again with fresh attempts.
   */
  async replay(entity: string, jobId: string): Promise<DeadLetter> {
    const feature = this.feature(entity);
    const job = await this.failedJob(feature, jobId);
    const data = job.data;
    const [row] = jobRows(data);
    // No state: the row had no pending write when the job died (it landed or was superseded): nothing to put back.
    if (row.kind === 'upsert' && data.state === undefined) {
      throw new DeadLetterConflictError(`This dead letter of row ${row.id} holds no state (no write of the row was pending when it failed): discard it.`);
    }
    const op: WriteOp =
      row.kind === 'upsert'
        ? { kind: 'upsert', id: row.id, version: row.version, meta: row.meta, state: data.state }
        : { kind: 'delete', id: row.id, version: row.version };
    const body = op.kind === 'upsert' ? JSON.stringify(op.state) : '';
    const restored = await feature.state.restore(op, op.kind === 'upsert' ? feature.store.uniqueOf(op.state) : '', body);
    if (restored === 'NEWER') throw new DeadLetterConflictError(`Row ${row.id} has a newer version than ${row.version}: discard this dead letter instead.`);
    if (restored === 'DUPLICATE') throw new DeadLetterConflictError(`Another row now holds the unique value of row ${row.id}.`);
    const { reason: _reason, ...rest } = data;
    await job.updateData(rest);
    await job.retry('failed');
    await feature.store.onStateCorrected?.(row.id);
    return toDeadLetter(entity, job);
  }

  /** Drops a dead letter for good. */
  async discard(entity: string, jobId: string): Promise<void> {
    await (await this.failedJob(this.feature(entity), jobId)).remove();
  }

  private feature(entity: string): FeatureQueue {
    const feature = this.registry.get(entity);
    if (!feature) throw new DeadLetterNotFoundError(entity, '*');
    return feature;
  }

  private async failedJob(feature: FeatureQueue, jobId: string): Promise<Job<WriteJobData>> {
    const job = await feature.queue.getJob(jobId);
    if (!job || !(await job.isFailed())) throw new DeadLetterNotFoundError(feature.entity, jobId);
    return job;
  }
}

function toDeadLetter(entity: string, job: Job<WriteJobData>): DeadLetter {
  const { data } = job;
  const [{ id, kind, version }] = jobRows(data);
  return {
    entity,
    jobId: job.id!,
    id,
    kind,
    version,
    state: data.state,
    reason: data.reason ?? { code: 'E_UNKNOWN', message: job.failedReason ?? '' },
    attempts: job.attemptsMade,
    enqueuedAt: new Date(job.timestamp).toISOString(),
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}
