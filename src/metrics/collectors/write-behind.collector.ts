import { Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { BATCH_SIZE_BOUNDS, type WriteBehindSnapshot, WriteBehindRegistry } from '../../write-behind';
import { registerExposed, type ExposedMetric, type Sample } from '../exposed.metric';
import type { MetricsCollector } from '../metrics.types';

/**
 * The write-behind families (`bulwark_write_behind_*`, label `queue` = the
 * entity), from `WriteBehindRegistry.stats()` on scrape: enqueued and
 * coalesced writes, rows flushed, batch sizes (histogram), retries, dead
 * letters (new in this process, and kept in the queue), queue depth by
 * state, the oldest waiting job's age and the flush lag (a summary). Queue
 * depth and dead letters are the queue's (all processes); the counters are
 * this process's.
 */
@Injectable()
export class WriteBehindMetricsCollector implements MetricsCollector {
  /** The read in progress: the families of one scrape are collected together and share it. */
  private pending?: Promise<WriteBehindSnapshot[]>;

  constructor(private readonly registry: WriteBehindRegistry) {}

  register(registry: Registry): void {
    const family = (name: string, help: string, type: ExposedMetric['type'], samples: (s: WriteBehindSnapshot) => Sample[]): void =>
      registerExposed(registry, { name, help, type, samples: async () => (await this.read()).flatMap(samples) });
    const counter = (name: string, help: string, value: (s: WriteBehindSnapshot) => number): void =>
      family(name, help, 'counter', (s) => [{ labels: { queue: s.entity }, value: value(s) }]);
    counter('bulwark_write_behind_enqueued_total', 'Writes accepted that added a job.', (s) => s.enqueued);
    counter('bulwark_write_behind_coalesced_total', 'Writes accepted that joined a waiting job of the same row (no new job).', (s) => s.coalesced);
    counter('bulwark_write_behind_groups_total', 'Group commits: Redis script calls that checked and recorded one or more writes.', (s) => s.groups);
    counter('bulwark_write_behind_grouped_writes_total', 'Writes those group commits carried (mean group size: this / groups).', (s) => s.groupedWrites);
    counter('bulwark_write_behind_sync_writes_total', 'Writes sent straight to PostgreSQL (sync mode while Redis was down).', (s) => s.syncWrites);
    counter('bulwark_write_behind_rejected_total', 'Writes refused with 503 (Redis or the queue unreachable, or unconfirmed by replicas).', (s) => s.rejected);
    counter(
      'bulwark_write_behind_unconfirmed_total',
      'Writes answered 503 because fewer than REDIS_QUEUE_MIN_REPLICAS replicas confirmed them in time (outcome unknown: they may land).',
      (s) => s.unconfirmed,
    );
    counter('bulwark_write_behind_flushed_rows_total', 'Rows written to PostgreSQL by this process.', (s) => s.flushedRows);
    counter('bulwark_write_behind_retries_total', 'Flush attempts that were retries.', (s) => s.retries);
    counter('bulwark_write_behind_deferred_retries_total', 'Retries the retry budget deferred to the backoff cap.', (s) => s.deferredRetries);
    counter('bulwark_write_behind_dead_letters_total', 'Jobs that became dead letters in this process.', (s) => s.deadLettered);
    counter(
      'bulwark_write_behind_handed_back_total',
      'Jobs handed back to the queue, attempts untouched, because PostgreSQL was unreachable.',
      (s) => s.handedBack,
    );
    counter(
      'bulwark_write_behind_workers_replaced_total',
      'Queue workers replaced because they took no job while jobs waited (a stalled blocking connection, seen after Redis Cluster failovers).',
      (s) => s.workersReplaced,
    );
    counter(
      'bulwark_write_behind_outage_pauses_total',
      "Pauses of this process's workers for an unreachable PostgreSQL (each one a failed probe).",
      (s) => s.outagePauses,
    );
    family('bulwark_write_behind_batch_size', 'Rows per flushed batch.', 'histogram', (s) => {
      const labels = { queue: s.entity };
      let cumulative = 0;
      const samples: Sample[] = BATCH_SIZE_BOUNDS.map((bound, i) => {
        cumulative += s.batchSizeBuckets[i] ?? 0;
        return { metricName: 'bulwark_write_behind_batch_size_bucket', labels: { ...labels, le: bound }, value: cumulative };
      });
      samples.push({ metricName: 'bulwark_write_behind_batch_size_bucket', labels: { ...labels, le: '+Inf' }, value: s.batches });
      samples.push({ metricName: 'bulwark_write_behind_batch_size_sum', labels, value: s.flushedRows });
      samples.push({ metricName: 'bulwark_write_behind_batch_size_count', labels, value: s.batches });
      return samples;
    });
    family('bulwark_write_behind_queue_depth', 'Jobs in the queue, by state (waiting, delayed = retries waiting their turn, active).', 'gauge', (s) =>
      (['waiting', 'delayed', 'active'] as const).map((state) => ({ labels: { queue: s.entity, state }, value: s[state] })),
    );
    family(
      'bulwark_write_behind_pending_rows',
      'Rows with a write PostgreSQL does not have yet, all processes: the backlog in rows (a job holds the rows of one group commit).',
      'gauge',
      (s) => [{ labels: { queue: s.entity }, value: s.pendingRows }],
    );
    family(
      'bulwark_write_behind_dead_letter_jobs',
      "Dead letters kept in the queue, all processes (see /admin/dead-letters); bulwark_write_behind_dead_letters_total counts this process's new ones.",
      'gauge',
      (s) => [{ labels: { queue: s.entity }, value: s.deadLetters }],
    );
    family('bulwark_write_behind_stalled_jobs', 'Active jobs whose worker died (lock lost): their rows wait for the stalled check.', 'gauge', (s) => [
      { labels: { queue: s.entity }, value: s.stalled },
    ]);
    family('bulwark_write_behind_database_outage', "1 while this process's workers pause because PostgreSQL is unreachable.", 'gauge', (s) => [
      { labels: { queue: s.entity }, value: s.databaseOutage ? 1 : 0 },
    ]);
    family('bulwark_write_behind_backlog_over_bound', '1 while the backlog is past WRITE_BEHIND_BACKLOG_ALERT_ROWS or _AGE_MS.', 'gauge', (s) => [
      { labels: { queue: s.entity }, value: s.backlogOverBound ? 1 : 0 },
    ]);
    family('bulwark_write_behind_oldest_job_age_seconds', 'Age of the oldest job not yet landed, waiting or active (0 when none).', 'gauge', (s) => [
      { labels: { queue: s.entity }, value: s.oldestWaitingAgeMs / 1000 },
    ]);
    // A summary: the quantiles are computed here, over a window (the last 1000 rows), which is what
    // Prometheus's summary type is for (`quantile` is reserved to it); `_sum`/`_count` (rows) run since
    // start-up, so `rate(_sum) / rate(_count)` is the mean lag, and that one sums across pods.
    family(
      'bulwark_write_behind_flush_lag_seconds',
      'Enqueue to landed in PostgreSQL: quantiles over the last 1000 rows this process flushed (quantile 1 = the slowest), sum and count since start-up.',
      'summary',
      (s) => {
        const labels = { queue: s.entity };
        const lag = s.flushLagMs;
        return [
          { labels: { ...labels, quantile: 0.5 }, value: lag.p50 / 1000 },
          { labels: { ...labels, quantile: 0.99 }, value: lag.p99 / 1000 },
          { labels: { ...labels, quantile: 1 }, value: lag.max / 1000 },
          { metricName: 'bulwark_write_behind_flush_lag_seconds_sum', labels, value: s.flushLagSumMs / 1000 },
          { metricName: 'bulwark_write_behind_flush_lag_seconds_count', labels, value: s.flushLagCount },
        ];
      },
    );
  }

  /**
   * The queues' snapshots, read once per scrape (prom-client asks every
   * family at once, so they share the read in progress); an unreachable
   * Redis gives no write-behind samples rather than a failed scrape.
   */
  private read(): Promise<WriteBehindSnapshot[]> {
    this.pending ??= this.registry
      .stats()
      .catch((): WriteBehindSnapshot[] => [])
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}
