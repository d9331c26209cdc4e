import { Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { JobsRegistry, type JobQueueDepth, type JobStats } from '../../jobs';
import { registerExposed, type Sample } from '../exposed.metric';
import type { MetricsCollector } from '../metrics.types';

const DEPTH_STATES = ['waiting', 'delayed', 'active', 'failed'] as const;

/**
 * The job families (`bulwark_jobs_*`, label `queue`), on scrape: jobs added,
 * completed, failed attempts, retried, dead (new dead letters) and
 * processing time: this process's
 * counters; queue depth by state (`failed` = dead letters kept): the
 * queue's, all processes. An unreachable Redis gives no depth samples rather
 * than a failed scrape.
 */
@Injectable()
export class JobsMetricsCollector implements MetricsCollector {
  constructor(private readonly jobs: JobsRegistry) {}

  register(registry: Registry): void {
    const counter = (name: string, help: string, value: (s: JobStats) => number): void =>
      registerExposed(registry, {
        name,
        help,
        type: 'counter',
        samples: () => this.jobs.all().map((e) => ({ labels: { queue: e.name }, value: value(e.stats) })),
      });
    counter('bulwark_jobs_added_total', 'Jobs this process enqueued (an idempotency key already in the queue adds nothing but counts).', (s) => s.added);
    counter('bulwark_jobs_add_failures_total', 'Enqueues that failed (Redis unreachable or slower than JOBS_ENQUEUE_TIMEOUT_MS).', (s) => s.addFailures);
    counter('bulwark_jobs_completed_total', 'Jobs this process completed.', (s) => s.completed);
    counter('bulwark_jobs_failed_total', 'Failed attempts in this process, retried or not.', (s) => s.failed);
    counter('bulwark_jobs_retried_total', 'Failed attempts scheduled again after their backoff.', (s) => s.retried);
    counter(
      'bulwark_jobs_deferred_retries_total',
      'Retries the retry budget (JOBS_RETRY_BUDGET_PERCENT) deferred to the backoff cap.',
      (s) => s.deferredRetries,
    );
    counter('bulwark_jobs_dead_total', 'Jobs that became dead letters in this process (out of attempts, or unrecoverable).', (s) => s.dead);
    registerExposed(registry, {
      name: 'bulwark_jobs_duration_seconds',
      help: 'Processing time of the attempts this process finished (sum and count: rate(_sum)/rate(_count) is the mean).',
      type: 'summary',
      samples: () =>
        this.jobs.all().flatMap((e): Sample[] => [
          { metricName: 'bulwark_jobs_duration_seconds_sum', labels: { queue: e.name }, value: e.stats.durationSumMs / 1000 },
          { metricName: 'bulwark_jobs_duration_seconds_count', labels: { queue: e.name }, value: e.stats.durationCount },
        ]),
    });
    registerExposed(registry, {
      name: 'bulwark_jobs_queue_depth',
      help: 'Jobs in the queue by state, all processes (failed = dead letters kept, see /admin/dead-letters).',
      type: 'gauge',
      samples: async () => {
        const depths = await Promise.all(
          this.jobs.all().map(async (e) => [e.name, await e.depth().catch((): JobQueueDepth | undefined => undefined)] as const),
        );
        return depths.flatMap(([queue, depth]) => (depth ? DEPTH_STATES.map((state) => ({ labels: { queue, state }, value: depth[state] })) : []));
      },
    });
  }
}
