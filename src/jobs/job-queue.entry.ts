import type { Queue } from 'bullmq';
import { JobStats } from './job.stats';
import type { ResolvedJobQueueOptions } from './jobs.types';

/** Jobs by state, as BullMQ counts them (all processes). */
export interface JobQueueDepth {
  readonly waiting: number;
  readonly delayed: number;
  readonly active: number;
  readonly failed: number;
  readonly completed: number;
}

/** One registered queue: its BullMQ `Queue`, resolved options and this process's counters. */
export class JobQueueEntry {
  readonly stats = new JobStats();
  /** Job ids whose last failed attempt the backoff strategy scheduled again (so the `failed` event knows retried from dead). */
  readonly retrying = new Set<string>();

  constructor(
    readonly queue: Queue,
    readonly options: ResolvedJobQueueOptions,
  ) {}

  get name(): string {
    return this.options.name;
  }

  async depth(): Promise<JobQueueDepth> {
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed');
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
      delayed: c.delayed ?? 0,
      active: c.active ?? 0,
      failed: c.failed ?? 0,
      completed: c.completed ?? 0,
    };
  }
}
