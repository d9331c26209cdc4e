import type { Queue } from 'bullmq';
import { bullPrefix, type RedisConnection, type ReplicaWait } from '../redis';
import type { WriteBehindConfig } from './write-behind.config';
import { AvailabilityGate } from './availability-gate';
import { queueName } from './write-behind.constants';
import { RetryPolicy } from './retry.policy';
import { WriteBehindStats, type WriteBehindSnapshot } from './write-behind.stats';
import type { WriteBehindStore, WriteJobData } from './write-behind.types';
import { WriteState } from './write-state';

/**
 * Everything one feature's write path shares between its producer, its
 * workers and the dead-letter service: the BullMQ queue (registered through
 * `@nestjs/bullmq` on the fail-fast producer connection, keys under
 * `<REDIS_KEY_PREFIX>bull:{<queue>}`), the Redis
 * state, the feature's store, the retry policy, the gate that pauses its
 * workers while PostgreSQL is unreachable, the replica acknowledgement of
 * the producer connection (`REDIS_QUEUE_MIN_REPLICAS`), and the counters.
 */
export class FeatureQueue {
  readonly state: WriteState;
  readonly stats = new WriteBehindStats();
  readonly policy: RetryPolicy;
  readonly gate: AvailabilityGate;
  /** BullMQ's key prefix of this queue. */
  readonly bullPrefix: string;
  /** WAIT on the producer connection for this feature's writes: on a cluster, to the owners of its write state's and its queue's slots. */
  readonly replicas: ReplicaWait;

  constructor(
    readonly entity: string,
    readonly store: WriteBehindStore<unknown>,
    private readonly redis: RedisConnection,
    private readonly producerConnection: RedisConnection,
    keyPrefix: string,
    readonly config: WriteBehindConfig,
    /** WAIT on the producer connection, which records (RESERVE) and queues (the add) each write; covering this feature's slots here. */
    producerReplicas: ReplicaWait,
    /** The BullMQ queue, on the producer connection (see `writeBehindQueueOptions`). */
    readonly queue: Queue<WriteJobData>,
  ) {
    this.bullPrefix = bullPrefix(keyPrefix, queueName(entity));
    this.state = new WriteState(redis, keyPrefix, entity, producerConnection);
    this.replicas = producerReplicas.covering([this.state.slotKey, this.bullPrefix]);
    this.policy = new RetryPolicy({ baseMs: config.backoffBaseMs, capMs: config.backoffCapMs, budgetRatio: config.retryBudgetRatio });
    this.gate = new AvailabilityGate({ baseMs: Math.min(config.backoffBaseMs, config.outagePauseCapMs), capMs: config.outagePauseCapMs });
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

  /** Counters, queue depth, stalled jobs, dead letters and the oldest job's age. */
  async snapshot(): Promise<WriteBehindSnapshot> {
    const [counts, [oldest], active, pendingRows] = await Promise.all([
      this.queue.getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized'),
      this.queue.getJobs(['waiting'], -1, -1),
      this.activeJobs(),
      this.state.pendingCount(),
    ]);
    const c = this.stats.counters;
    const now = Date.now();
    const oldestTimestamp = Math.min(oldest?.timestamp ?? now, active.oldestTimestamp);
    const oldestWaitingAgeMs = Math.max(0, now - oldestTimestamp);
    return {
      entity: this.entity,
      ...c,
      deferredRetries: this.policy.deferred,
      batchSizeAvg: c.batches === 0 ? 0 : Math.round((c.flushedRows / c.batches) * 10) / 10,
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
      queueDepth: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
      pendingRows,
      deadLetters: counts.failed ?? 0,
      stalled: active.stalled,
      oldestWaitingAgeMs,
      backlogOverBound: pendingRows >= this.config.backlogAlertRows || oldestWaitingAgeMs >= this.config.backlogAlertAgeMs,
      databaseOutage: this.gate.outage,
      outagePauses: this.gate.pauses,
      flushLagMs: this.stats.lagSummary(),
      flushLagCount: this.stats.lagTotals().count,
      flushLagSumMs: this.stats.lagTotals().sumMs,
      batchSizeBuckets: Array.from(this.stats.batchSizes),
    };
  }

  /**
   * Of the active jobs (the first {@link ACTIVE_SAMPLE}): how many have lost
   * their lock (their worker died; BullMQ's stalled check will move them on),
   * and the oldest one's creation time. An active job's lock is set in the
   * same script that makes it active, so a job without one is stalled.
   */
  private async activeJobs(): Promise<{ stalled: number; oldestTimestamp: number }> {
    const key = `${this.bullPrefix}:${this.queue.name}:`;
    const ids = await this.redis.lrange(`${key}active`, 0, ACTIVE_SAMPLE - 1);
    if (ids.length === 0) return { stalled: 0, oldestTimestamp: Infinity };
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.exists(`${key}${id}:lock`).hget(`${key}${id}`, 'timestamp');
    const replies = (await pipeline.exec()) ?? [];
    let stalled = 0;
    let oldestTimestamp = Infinity;
    for (let i = 0; i < ids.length; i++) {
      const [locked, timestamp] = [replies[2 * i]?.[1], replies[2 * i + 1]?.[1]];
      // A job that finished between the two reads has neither lock nor hash: not stalled.
      if (timestamp == null) continue;
      if (locked === 0) stalled++;
      oldestTimestamp = Math.min(oldestTimestamp, Number(timestamp));
    }
    return { stalled, oldestTimestamp };
  }
}

/** Most active jobs {@link FeatureQueue.snapshot} inspects (a few batches' worth). */
const ACTIVE_SAMPLE = 2000;
