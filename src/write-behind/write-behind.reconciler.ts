import type { Logger } from '@nestjs/common';
import type { RedisConnection } from '../redis';
import type { ScheduleDefinition } from '../schedules';
import type { FeatureQueue } from './feature-queue';
import type { WriteJobRow } from './write-behind.types';

/**
 * Adds the jobs recorded as waiting in the write state that the queue does not have (the
 * producer recorded a job and Redis died before the add, or a failover lost it): each comes back
 * under its own id as one job of those of its rows still pending. `client` is a connection of the
 * queue's workers (the existence checks go to the queue's slot).
 */
export async function reconcileLostJobs(feature: FeatureQueue, client: RedisConnection, logger: Pick<Logger, 'warn'>): Promise<void> {
  const { state, queue } = feature;
  const waiting = await state.waitingJobs();
  if (waiting.size === 0) return;
  const prefix = `${feature.bullPrefix}:${queue.name}:`;
  const jobIds = [...new Set(waiting.values())];
  const exists = await client.pipeline(jobIds.map((jobId) => ['exists', prefix + jobId])).exec();
  const missing = new Set(jobIds.filter((_, i) => exists?.[i]?.[1] === 0));
  if (missing.size === 0) return;
  const entries = [...waiting].filter(([, jobId]) => missing.has(jobId));
  const ops = await state.pending(entries.map(([id]) => id));
  const rows = new Map<string, WriteJobRow[]>();
  for (const [id, jobId] of entries) {
    const op = ops.get(id);
    if (!op) continue;
    const row: WriteJobRow = { id, kind: op.kind, version: op.version, meta: op.kind === 'upsert' ? op.meta : '' };
    const group = rows.get(jobId);
    if (group) group.push(row);
    else rows.set(jobId, [row]);
  }
  if (rows.size === 0) return;
  await queue.addBulk([...rows].map(([jobId, jobRows]) => ({ name: feature.entity, data: { rows: jobRows }, opts: { jobId } })));
  const added = [...rows.values()].reduce((n, r) => n + r.length, 0);
  logger.warn(`re-added ${rows.size} recorded jobs (${added} rows) the queue did not have`);
}

/**
 * The reconciler of `entity` as a schedule: once per fleet (the pass reads the
 * whole write state of the entity, so one pod's pass serves every pod), every
 * `everyMs`, on the processes that run the workers.
 */
export function reconcileSchedule(entity: string, worker: { reconcile(): Promise<void> }, everyMs: number): ScheduleDefinition {
  return { name: `write-behind-reconcile:${entity}`, scope: 'fleet-once', everyMs, run: () => worker.reconcile() };
}
