import type { Queue } from 'bullmq';
import { RetryBudget } from '../resilience';
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
  /** Retries over first attempts, this process, 10 s window (at least 10 retries per window). */
  readonly budget: RetryBudget;
  /** The producer connection once BullMQ has made it (its ioredis status says whether Redis is reachable now). */
  private client?: { readonly status: string };

  constructor(
    readonly queue: Queue,
    readonly options: ResolvedJobQueueOptions,
  ) {
    this.budget = new RetryBudget(options.retryBudgetRatio, 10_000, 10);
  }

  /** Follows the producer connection BullMQ made for the queue (`JobsModule` hands it over once it exists). */
  connectedThrough(client: { readonly status: string }): void {
    this.client = client;
  }

  /**
   * False when the producer connection is known to be down (reconnecting):
   * an enqueue then fails at once instead of waiting for its timeout. True
   * while it is up, and before BullMQ has made it (the enqueue's timeout
   * bounds that case).
   */
  get reachable(): boolean {
    return this.client === undefined || this.client.status === 'ready';
  }

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
