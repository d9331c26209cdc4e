import { Logger } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisConnection } from '../redis';
import { ReplicaWait, stalledCheckIntervalMs, type RedisClientFactory } from '../redis';
import { BatchCollector } from './batch.collector';
import { bisectFlush } from './bisect-flush';
import { correctToDatabase, rowDeadLetter } from './row-dead-letter';
import { StallWatch } from './stall-watch';
import { reconcileLostJobs } from './write-behind.reconciler';
import type { FeatureQueue } from './feature-queue';
import { ClaimFailure, classifyFlushError, errorCode, RowFailures, type RowFailure } from './flush-errors';
import { BACKOFF_TYPE, queueName } from './write-behind.constants';
import { jobRows, type WriteJobData, type WriteOp } from './write-behind.types';
import type { PendingOp } from './write-state';

/**
 * The consumer side of one feature's queue (APP_ROLE worker or all):
 * `WRITE_BEHIND_WORKERS` BullMQ workers, each with concurrency = batch size,
 * feed a {@link BatchCollector} with jobs (each the rows of one group commit);
 * each batch claims the latest pending state of its rows, writes them with one call of the feature's `flush` (split in
 * halves on a row error, so a bad row fails alone), settles what landed, and
 * settles each job: done, retried (backoff from the `RetryPolicy`), or a dead
 * letter (out of attempts, or at once for a row the table refuses; the Redis
 * state is then corrected to what PostgreSQL holds); a job of several rows
 * whose rows failed hands them on as jobs of their own ({@link split}).
 *
 * A database that cannot be reached is not a failure of the rows: the jobs go
 * back to the queue with their attempts untouched (BullMQ's manual rate limit,
 * `RateLimitError`), and the worker pauses for the {@link AvailabilityGate}'s
 * delay before its next batch probes again.
 *
 * A worker that dies holds its jobs until their lock expires
 * (`WRITE_BEHIND_LOCK_DURATION_MS`); the stalled check of the live workers
 * runs every quarter of it, so they move on within 1.5 × the lock duration
 * (`stalledCheckIntervalMs` says why a quarter).
 *
 * Workers connect with `maxRetriesPerRequest: null` (`queue-worker`
 * connections of `RedisClientFactory`) and reconnect by themselves after a
 * Redis outage. {@link reconcile} adds jobs that a producer recorded but could
 * not add (Redis died between the two commands); the lifecycle runs it as
 * a fleet-once schedule ({@link reconcileSchedule}).
 */
export class WriteBehindWorker {
  private readonly logger: Logger;
  private readonly workers: Worker<WriteJobData>[] = [];
  private readonly connections: RedisConnection[] = [];
  private readonly watches: StallWatch[] = [];
  private stallTimer?: NodeJS.Timeout;
  private closing = false;
  /** Claims run here, then WAIT: a batch is flushed only once the replicas hold what it read (REDIS_QUEUE_MIN_REPLICAS). */
  private claimer?: { readonly client: RedisConnection; readonly replicas: ReplicaWait };

  constructor(
    private readonly feature: FeatureQueue,
    private readonly clients: RedisClientFactory,
  ) {
    this.logger = new Logger(`WriteBehindWorker:${feature.entity}`);
  }

  /** The BullMQ workers (tests listen to their events). */
  get bullWorkers(): readonly Worker<WriteJobData>[] {
    return this.workers;
  }

  start(): void {
    const { config, replicas } = this.feature;
    if (replicas.minReplicas > 0) {
      // Its own connection: WAIT blocks the connection it is sent on, and the shared one serves reads.
      const client = this.clients.create('queue', 'command', `write-behind-claim:${this.feature.entity}`);
      // The claim and the touch write the write state only: on a cluster WAIT goes to the owner of its slot.
      this.claimer = { client, replicas: new ReplicaWait(client, replicas.minReplicas, replicas.timeoutMs, [this.feature.state.slotKey]) };
    }
    for (let i = 0; i < config.workers; i++) this.spawn(i);
    this.stallTimer = setInterval(() => void this.replaceStalled(), config.lockDurationMs);
    this.stallTimer.unref();
  }

  /** Worker `index`: its connection, batch collector and BullMQ worker (a new one in place of a stalled one). */
  private spawn(index: number): void {
    const { config, policy, stats, queue } = this.feature;
    // Profile `queue-worker` (maxRetriesPerRequest: null, as BullMQ requires); closed here, not by the factory.
    const connection = this.clients.create('queue', 'queue-worker', `write-behind-worker:${this.feature.entity}`);
    const collector = new BatchCollector<Job<WriteJobData>>(
      { maxItems: config.batchSize, maxWaitMs: config.flushIntervalMs, weight: (job) => jobRows(job.data).length },
      (jobs) => this.flushBatch(jobs),
    );
    const worker = new Worker<WriteJobData>(queueName(this.feature.entity), (job) => this.process(job, collector), {
      connection,
      prefix: this.feature.bullPrefix,
      concurrency: config.batchSize,
      lockDuration: config.lockDurationMs,
      stalledInterval: stalledCheckIntervalMs(config.lockDurationMs),
      // A stalled job is one whose worker died mid-batch: the upsert is idempotent, so it may run again.
      maxStalledCount: 10,
      drainDelay: 1,
      settings: {
        backoffStrategy: (attemptsMade, type) => {
          if (type !== BACKOFF_TYPE) return 0;
          const before = policy.deferred;
          const delay = policy.delayMs(attemptsMade);
          if (policy.deferred > before) stats.counters.deferredRetries++;
          return delay;
        },
      },
    });
    worker.on('error', (error) => this.logger.warn({ err: { message: error.message } }, 'worker error (it reconnects by itself)'));
    const watch = new StallWatch({
      idle: () => collector.idle,
      waitingJobs: () => queue.getWaitingCount(),
      rateLimitedMs: () => queue.getRateLimitTtl(),
    });
    worker.on('active', () => watch.sawActivity());
    this.connections[index] = connection;
    this.workers[index] = worker;
    this.watches[index] = watch;
  }

  /**
   * Replaces each worker its {@link StallWatch} finds stalled (jobs wait and it takes none, see
   * there) with a new one on a new connection; the old one's connection is dropped and its close
   * not waited for (on a cluster it may never end).
   */
  private async replaceStalled(): Promise<void> {
    for (let i = 0; i < this.workers.length; i++) {
      const stalled = await this.watches[i].check().catch(() => false);
      if (!stalled || this.closing) continue;
      const [worker, connection] = [this.workers[i], this.connections[i]];
      this.feature.stats.counters.workersReplaced++;
      this.logger.warn(`worker ${i} took no job for two checks while jobs waited (a stalled blocking connection): replaced`);
      this.spawn(i);
      connection.disconnect();
      void worker.close(true).catch(() => undefined);
    }
  }

  /** Stops taking jobs, finishes the batches in hand, closes the connections. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.stallTimer);
    await Promise.all(this.workers.map((worker) => worker.close()));
    this.abandon();
  }

  /**
   * Drops the workers' connections at once: what they wait for fails. For a
   * {@link close} that does not end (BullMQ waits for a blocking command that
   * a reconnection lost); the shutdown sequence calls it past its bound.
   */
  abandon(): void {
    for (const connection of this.connections) connection.disconnect();
  }

  private async process(job: Job<WriteJobData>, collector: BatchCollector<Job<WriteJobData>>): Promise<void> {
    const { policy, stats, gate, queue } = this.feature;
    // A row split off a job as failed for good (see `split`): a dead letter at its first run.
    if (job.data.reason) throw new UnrecoverableError(`${job.data.reason.code}: ${job.data.reason.message}`);
    const rows = jobRows(job.data);
    const isRetry = job.attemptsMade > 0 || job.data.splitFrom !== undefined;
    for (let i = 0; i < rows.length; i++) policy.recordAttempt(isRetry);
    if (isRetry) stats.counters.retries++;
    try {
      await collector.add(job);
    } catch (failure) {
      if (failure instanceof ClaimFailure) {
        // Redis (a failover, replicas behind): not the rows' fault, nor the database's. Back to the queue,
        // attempts untouched, for another try soon; if even the pause cannot be set, BullMQ's own retry of the move does.
        stats.counters.handedBack++;
        await queue.rateLimit(Math.max(100, this.feature.replicas.timeoutMs)).catch(() => undefined);
        throw Worker.RateLimitError();
      }
      const failures: readonly RowFailure[] = failure instanceof RowFailures ? failure.failures : rows.map((row) => ({ row, error: failure }));
      if (failures.some((f) => classifyFlushError(f.error) === 'unavailable')) {
        stats.counters.handedBack++;
        // The queue's limiter key holds the pause; the worker reads its PTTL back as it returns the job to wait.
        await queue.rateLimit(gate.unavailable());
        throw Worker.RateLimitError();
      }
      // Retries and dead letters stay per row: the failed rows of a job of several go on as jobs of their own.
      if (rows.length > 1) return this.split(job, failures);
      const [{ op, error }] = failures;
      const kind = classifyFlushError(error);
      if (kind !== 'row-fatal' && this.attemptsLeft(job) > 0) throw error;
      const letter = await rowDeadLetter(this.feature, this.logger, job.id!, rows[0], op, error);
      await job.updateData(letter);
      await correctToDatabase(this.feature, this.logger, letter);
      throw kind === 'row-fatal' ? new UnrecoverableError(`${errorCode(error)}: ${(error as Error)?.message}`) : error;
    }
  }

  /**
   * The failed rows of a job of several rows (the others landed) become single-row jobs
   * `<job id>.<row id>`, and the job completes: a row with attempts left retries after the
   * backoff with the attempts the job had left; a row that failed for good (the table refuses
   * it, or no attempts are left) is added as a dead letter (its op and reason; it fails at its
   * first run, see `process`). If the worker dies in between, the job runs again and the
   * same ids make the adds no-ops. If the adds fail, the job fails and BullMQ retries it whole.
   */
  private async split(job: Job<WriteJobData>, failures: readonly RowFailure[]): Promise<void> {
    const { policy, queue, entity } = this.feature;
    const attemptsLeft = this.attemptsLeft(job);
    const letters: WriteJobData[] = [];
    const jobs = await Promise.all(
      failures.map(async ({ row, op, error }) => {
        const jobId = `${job.id}.${row.id}`;
        if (classifyFlushError(error) === 'row-fatal' || attemptsLeft <= 0) {
          const letter = await rowDeadLetter(this.feature, this.logger, jobId, row, op, error);
          letters.push(letter);
          return { name: entity, data: { ...letter, splitFrom: job.id }, opts: { jobId } };
        }
        const retry = { jobId, attempts: attemptsLeft, delay: policy.delayMs(job.attemptsMade + 1) };
        return { name: entity, data: { rows: [row], splitFrom: job.id }, opts: retry };
      }),
    );
    await queue.addBulk(jobs);
    for (const letter of letters) await correctToDatabase(this.feature, this.logger, letter);
  }

  /** Attempts `job` has after the one that just failed (its own `attempts`: a split-off job has those its job had left). */
  private attemptsLeft(job: Job<WriteJobData>): number {
    return (job.opts.attempts ?? this.feature.config.attempts) - (job.attemptsMade + 1);
  }

  /**
   * One batch: claim, flush (bisecting on row errors), settle; the rows of every job, each once. With
   * REDIS_QUEUE_MIN_REPLICAS > 0 the claim waits for the replicas first: a write the primary took but
   * no replica holds yet is never flushed (a failover would lose it from Redis while PostgreSQL kept
   * it, and the next write of its row would reuse its version, which the upsert's version guard then
   * drops); the batch goes back to the queue instead, as after a claim Redis did not answer (see
   * `process`): attempts untouched. A job with failed rows fails with their {@link RowFailures}.
   */
  private async flushBatch(jobs: readonly Job<WriteJobData>[]): Promise<Map<Job<WriteJobData>, unknown>> {
    const { state, store, stats } = this.feature;
    const rowsOf = jobs.map((job) => jobRows(job.data));
    const claims = rowsOf.flatMap((rows, j) => rows.map((row) => ({ id: row.id, jobId: jobs[j].id! })));
    let pending: Array<PendingOp | undefined>;
    try {
      if (this.claimer) {
        const mark = this.claimer.replicas.mark();
        pending = await state.claim(claims, this.claimer.client);
        await state.touch(this.claimer.client);
        await this.claimer.replicas.confirm(mark);
      } else {
        pending = await state.claim(claims);
      }
    } catch (error) {
      throw new ClaimFailure(error);
    }
    // One op per row, the newest: a row may have a retrying job and a new one in the same batch.
    const byId = new Map<number, PendingOp>();
    for (const op of pending) {
      if (op && (byId.get(op.id)?.version ?? 0) < op.version) byId.set(op.id, op);
    }
    const ops = [...byId.values()];
    const { failed, calls } = await bisectFlush(ops, (part) => store.flush(part.map(toWriteOp)));
    if (ops.length > 0 && ![...failed.values()].some((error) => classifyFlushError(error) === 'unavailable')) this.feature.gate.available();
    const landed = ops.filter((op) => !failed.has(op));
    await state.settle(landed);
    stats.batch(landed.length, calls);
    const now = Date.now();
    const result = new Map<Job<WriteJobData>, unknown>();
    let claimed = 0;
    jobs.forEach((job, j) => {
      const failures: RowFailure[] = [];
      for (const row of rowsOf[j]) {
        const found = pending[claimed++];
        const op = found && byId.get(found.id);
        if (op && failed.has(op)) failures.push({ row, op, error: failed.get(op) });
        else stats.lag(now - job.timestamp);
      }
      if (failures.length > 0) result.set(job, new RowFailures(failures));
    });
    return result;
  }

  /**
   * Adds the jobs recorded as waiting in the write state that the queue does not have
   * ({@link reconcileLostJobs}). Runs every `WRITE_BEHIND_RECONCILE_EVERY_MS` on one worker
   * process of the fleet ({@link reconcileSchedule}); public so that integration tests run one
   * pass at a time (needs {@link start}).
   */
  reconcile(): Promise<void> {
    return reconcileLostJobs(this.feature, this.connections[0], this.logger);
  }
}

function toWriteOp(op: PendingOp): WriteOp {
  return op.kind === 'upsert'
    ? { kind: 'upsert', id: op.id, version: op.version, meta: op.meta, state: op.state }
    : { kind: 'delete', id: op.id, version: op.version };
}
