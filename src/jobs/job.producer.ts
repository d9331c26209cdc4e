import type { JobsOptions } from 'bullmq';
import { withTimeout } from '../lifecycle';
import type { JobQueueEntry } from './job-queue.entry';
import { JobEnqueueError } from './jobs.errors';

/** Per-call options of {@link JobProducer.add}. */
export interface AddJobOptions {
  /** Run no earlier than this many ms from now. @default 0 */
  readonly delayMs?: number;
}

/**
 * The typed producer of one job queue: `@InjectJobProducer(name) jobs: JobProducer<MyJob>`.
 *
 * Every job has an idempotency key, its BullMQ job id: adding a key that is
 * still in the queue (waiting, delayed, active, failed, or completed less
 * than `JOBS_KEEP_COMPLETED_S` ago) adds nothing, so a logical job is queued
 * once however often its producer retries. BullMQ's rule for custom ids: not
 * an integer, and a `:` only as exactly three parts (`product:42:v3`).
 * Processors get the key as `job.id`; pass it on (an `Idempotency-Key`
 * header) so the receiver drops a delivery that ran twice (a worker killed
 * mid-job).
 */
export class JobProducer<T> {
  constructor(
    private readonly entry: JobQueueEntry,
    private readonly timeoutMs: number,
  ) {}

  /** The queue's name. */
  get name(): string {
    return this.entry.name;
  }

  /**
   * Queues `data` under idempotency key `key`. Rejects with `JobEnqueueError`
   * (503) at once while the queue's Redis connection is down (nothing waits
   * in the connection's offline queue), and when Redis does not take it within
   * `JOBS_ENQUEUE_TIMEOUT_MS`.
   */
  async add(key: string, data: T, options: AddJobOptions = {}): Promise<void> {
    const jobOptions: JobsOptions = { jobId: key, ...(options.delayMs ? { delay: options.delayMs } : {}) };
    this.entry.stats.added++;
    if (!this.entry.reachable) {
      this.entry.stats.addFailures++;
      throw new JobEnqueueError(this.entry.name, new Error('the queue connection to Redis is down'));
    }
    try {
      await withTimeout(this.entry.queue.add(this.entry.name, data, jobOptions), this.timeoutMs, `enqueue on ${this.entry.name}`);
    } catch (error) {
      this.entry.stats.addFailures++;
      throw new JobEnqueueError(this.entry.name, error);
    }
  }
}
