import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { WriteBehindConfig } from '../config/write-behind.config';
import { BACKOFF_TYPE, queueName } from './write-behind.constants';
import { RetryPolicy } from './retry.policy';
import { WriteBehindStats, type WriteBehindSnapshot } from './write-behind.stats';
import type { WriteBehindStore, WriteJobData } from './write-behind.types';
import { WriteState } from './write-state';

/**
 * Everything one feature's write path shares between its producer, its
 * workers and the dead-letter service: the BullMQ queue (on the fail-fast
 * producer connection, keys under `<REDIS_KEY_PREFIX>bull:`), the Redis
 * state, the feature's store, the retry policy and the counters.
 */
export class FeatureQueue {
  readonly queue: Queue<WriteJobData>;
  readonly state: WriteState;
  readonly stats = new WriteBehindStats();
  readonly policy: RetryPolicy;
  /** BullMQ's key prefix of this queue. */
  readonly bullPrefix: string;

  constructor(
    readonly entity: string,
    readonly store: WriteBehindStore<unknown>,
    redis: Redis,
    private readonly producerConnection: Redis,
    keyPrefix: string,
    readonly config: WriteBehindConfig,
  ) {
    this.bullPrefix = `${keyPrefix}bull`;
    this.state = new WriteState(redis, keyPrefix, entity);
    this.policy = new RetryPolicy({ baseMs: config.backoffBaseMs, capMs: config.backoffCapMs, budgetRatio: config.retryBudgetRatio });
    this.queue = new Queue<WriteJobData>(queueName(entity), {
      connection: producerConnection,
      prefix: this.bullPrefix,
      defaultJobOptions: {
        attempts: config.attempts,
        backoff: { type: BACKOFF_TYPE },
        removeOnComplete: true,
        removeOnFail: config.keepDeadLetters === 0 ? true : { count: config.keepDeadLetters },
      },
    });
    // Errors of the producer connection are logged by the client itself; without a listener BullMQ would rethrow them.
    this.queue.on('error', () => undefined);
  }

  /** Runs `listener` each time the producer connection is (again) ready. */
  onProducerReady(listener: () => void): void {
    this.producerConnection.on('ready', listener);
  }

  /** True when the producer connection is up: adds are not even tried otherwise (no offline queue growing). */
  producerReady(): boolean {
    return this.producerConnection.status === 'ready';
  }

  /** Counters, queue depth, dead letters and the oldest waiting job's age. */
  async snapshot(): Promise<WriteBehindSnapshot> {
    const counts = await this.queue.getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized');
    const [oldest] = await this.queue.getJobs(['waiting'], -1, -1);
    const c = this.stats.counters;
    return {
      entity: this.entity,
      ...c,
      deferredRetries: this.policy.deferred,
      batchSizeAvg: c.batches === 0 ? 0 : Math.round((c.flushedRows / c.batches) * 10) / 10,
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
      queueDepth: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
      deadLetters: counts.failed ?? 0,
      oldestWaitingAgeMs: oldest ? Math.max(0, Date.now() - oldest.timestamp) : 0,
      flushLagMs: this.stats.lagSummary(),
      batchSizeBuckets: Array.from(this.stats.batchSizes),
    };
  }
}
