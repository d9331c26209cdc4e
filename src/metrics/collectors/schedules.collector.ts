import { Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { Schedules, type RunOutcome, type SkipReason } from '../../schedules';
import { registerExposed, type Sample } from '../exposed.metric';
import type { MetricsCollector } from '../metrics.types';

const OUTCOMES: readonly RunOutcome[] = ['ok', 'failed'];
const REASONS: readonly SkipReason[] = ['overlap', 'lease', 'paused', 'unavailable'];

/**
 * The schedule families (`bulwark_schedule_*`, label `schedule`), this
 * process's counters on scrape: runs by outcome, run time, ticks skipped by
 * reason (`lease`: another pod holds a fleet-once schedule's lease, the
 * normal case on all pods but one), and the last success.
 */
@Injectable()
export class SchedulesMetricsCollector implements MetricsCollector {
  constructor(private readonly schedules: Schedules) {}

  register(registry: Registry): void {
    registerExposed(registry, {
      name: 'bulwark_schedule_runs_total',
      help: 'Runs of a schedule in this process, by outcome (ok, failed).',
      type: 'counter',
      samples: () => this.schedules.all().flatMap((r) => OUTCOMES.map((outcome) => ({ labels: { schedule: r.name, outcome }, value: r.stats.runs[outcome] }))),
    });
    registerExposed(registry, {
      name: 'bulwark_schedule_skipped_total',
      help: 'Ticks of a schedule this process did not run, by reason: overlap (its previous run still ran), lease (another pod holds it), paused, unavailable (Redis could not grant the lease).',
      type: 'counter',
      samples: () => this.schedules.all().flatMap((r) => REASONS.map((reason) => ({ labels: { schedule: r.name, reason }, value: r.stats.skipped[reason] }))),
    });
    registerExposed(registry, {
      name: 'bulwark_schedule_run_duration_seconds',
      help: 'Run time of the schedule runs this process finished (sum and count: rate(_sum)/rate(_count) is the mean).',
      type: 'summary',
      samples: () =>
        this.schedules.all().flatMap((r): Sample[] => [
          { metricName: 'bulwark_schedule_run_duration_seconds_sum', labels: { schedule: r.name }, value: r.stats.durationSumMs / 1000 },
          { metricName: 'bulwark_schedule_run_duration_seconds_count', labels: { schedule: r.name }, value: r.stats.runs.ok + r.stats.runs.failed },
        ]),
    });
    registerExposed(registry, {
      name: 'bulwark_schedule_last_success_timestamp_seconds',
      help: 'When a run of the schedule last ended ok in this process (Unix seconds; 0 before the first).',
      type: 'gauge',
      samples: () => this.schedules.all().map((r) => ({ labels: { schedule: r.name }, value: r.stats.lastSuccessAt / 1000 })),
    });
  }
}
