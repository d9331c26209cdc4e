import type { JobsOptions } from 'bullmq';
import type { RedisConnection } from '../redis';
import { withTimeout } from '../lifecycle';
import { ReplicaWait, type RedisConfig } from '../redis';
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
 *
 * With REDIS_QUEUE_MIN_REPLICAS > 0 an add resolves only once that many
 * replicas of the queue Redis hold the job (WAIT on the queue's connection; on
 * a cluster, on its connection to the owner of the queue's slot): a failover
 * does not lose an added job.
 */
export class JobProducer<T> {
  private replicas?: { readonly client: RedisConnection; readonly wait: ReplicaWait };

  constructor(
    private readonly entry: JobQueueEntry,
    private readonly timeoutMs: number,
    private readonly replication: RedisConfig['queue'] = { minReplicas: 0, waitTimeoutMs: 0, requireNoeviction: false },
    /** A key in the queue's slot (its BullMQ prefix): on a cluster, WAIT goes to that slot's owner (without it, a confirmation there fails). */
    private readonly queueKey?: string,
  ) {}

  /** The queue's name. */
  get name(): string {
    return this.entry.name;
  }

  /**
   * Queues `data` under idempotency key `key`. Rejects with `JobEnqueueError`
   * (503) at once while the queue's Redis connection is down (nothing waits
   * in the connection's offline queue), when Redis does not take it within
   * `JOBS_ENQUEUE_TIMEOUT_MS`, or when the replicas do not confirm it within
   * REDIS_QUEUE_WAIT_TIMEOUT_MS: the job may then be kept or not, and an add
   * again with the same key is safe (it is not removed: the key may be a job
   * an earlier, acknowledged add created).
   */
  async add(key: string, data: T, options: AddJobOptions = {}): Promise<void> {
    const jobOptions: JobsOptions = { jobId: key, ...(options.delayMs ? { delay: options.delayMs } : {}) };
    this.entry.stats.added++;
    if (!this.entry.reachable) {
      this.entry.stats.addFailures++;
      throw new JobEnqueueError(this.entry.name, new Error('the queue connection to Redis is down'));
    }
    try {
      const replicas = this.replication.minReplicas > 0 ? await this.replicaWait() : undefined;
      const mark = replicas?.mark() ?? 0;
      await withTimeout(this.entry.queue.add(this.entry.name, data, jobOptions), this.timeoutMs, `enqueue on ${this.entry.name}`);
      await replicas?.confirm(mark);
    } catch (error) {
      this.entry.stats.addFailures++;
      throw new JobEnqueueError(this.entry.name, error);
    }
  }

  /** The WAIT of the queue's own connection (BullMQ creates it; a new one after `close` gets its own). */
  private async replicaWait(): Promise<ReplicaWait> {
    // BullMQ's proxy of its ioredis client: `wait` and the `close` event reach the client itself.
    const client = (await withTimeout(this.entry.queue.getBackend().client, this.timeoutMs, `connect ${this.entry.name}`)) as unknown as RedisConnection;
    if (this.replicas?.client !== client) {
      this.replicas = {
        client,
        wait: new ReplicaWait(client, this.replication.minReplicas, this.replication.waitTimeoutMs, this.queueKey === undefined ? [] : [this.queueKey]),
      };
    }
    return this.replicas.wait;
  }
}
