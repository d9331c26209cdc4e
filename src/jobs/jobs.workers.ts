import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { BullRegistrar, WorkerHost } from '@nestjs/bullmq';
import type { WorkerOptions } from 'bullmq';
import type { Job, Worker } from 'bullmq';
import { appConfig, type AppConfig, InjectConfig } from '../config';
import { healthConfig, type HealthConfig, ShutdownSequence, WiringError } from '../lifecycle';
import { LogThrottle } from '../logging';
import { RedisClientFactory, redisConfig, stalledCheckIntervalMs, type RedisConfig } from '../redis';
import { jobBackoffStrategy } from './job-backoff';
import type { JobQueueEntry } from './job-queue.entry';
import { jobsConnection } from './jobs.connection';
import { BULL_PROCESSOR_METADATA, BULL_WORKER_METADATA } from './jobs.constants';
import { JobsRegistry } from './jobs.registry';

type ProcessorClass = abstract new (...args: never[]) => WorkerHost;

/**
 * Runs the `@Processor(name)` classes of this app, the @nestjs/bullmq way
 * with its registration made manual (`manualRegistration: true`): in
 * APP_ROLE `worker` or `all` (the rule of write-behind: every role but
 * `api`), at bootstrap, each processor gets the kit's worker options under
 * its own (`@Processor(name, { concurrency })` wins): the queue's
 * equal-jitter backoff and classification hook, concurrency, lock duration,
 * a worker connection; then `BullRegistrar.register()` builds the workers.
 * A processor of a queue no `JobsModule.forFeature()` registered fails the
 * boot. Shutdown (from `beforeApplicationShutdown`, awaited in the `queues`
 * phase): each worker stops taking jobs and finishes
 * the ones in hand, bounded by `SHUTDOWN_STEP_TIMEOUT_MS`; past it its
 * connections are dropped and its jobs cancelled (a processor declared
 * `process(job, token, signal)` gets BullMQ's abort signal: pass it to
 * `fetch` or the policy), and each job runs again elsewhere once its lock
 * expires (so processors must be idempotent: pass `job.id` on).
 */
@Injectable()
export class JobsWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly errorLog = new LogThrottle(0.2, 3);
  private readonly workers: Worker[] = [];
  private closing?: Promise<void>;

  constructor(
    private readonly registry: JobsRegistry,
    private readonly discovery: DiscoveryService,
    private readonly registrar: BullRegistrar,
    private readonly shutdown: ShutdownSequence,
    @InjectConfig(appConfig) private readonly app: AppConfig,
    @InjectConfig(redisConfig) private readonly redis: RedisConfig,
    @InjectConfig(healthConfig) private readonly health: HealthConfig,
    private readonly clients: RedisClientFactory,
  ) {}

  onApplicationBootstrap(): void {
    if (this.app.role !== 'api') this.start();
    this.shutdown.register('queues', 'jobs', () => this.close(), { abandon: () => this.abandon() });
  }

  /**
   * Starts closing the workers, then the queues, bounded by
   * `SHUTDOWN_STEP_TIMEOUT_MS`. Here, before the `queues` phase:
   * @nestjs/bullmq closes its workers and queues in its own
   * `onApplicationShutdown` hooks, which run before the ShutdownSequence's
   * and wait without a bound (for the jobs in hand, for a QUIT that gets no
   * answer); once this close has begun, their `close()` is this one.
   */
  beforeApplicationShutdown(): void {
    void this.close();
  }

  private close(): Promise<void> {
    this.closing ??= (async () => {
      const timer = setTimeout(() => {
        this.logger.warn(
          `jobs workers and queues not closed after ${this.health.shutdownStepTimeoutMs} ms (SHUTDOWN_STEP_TIMEOUT_MS): dropping their connections`,
        );
        this.abandon();
      }, this.health.shutdownStepTimeoutMs);
      try {
        await Promise.allSettled(this.workers.map((worker) => worker.close()));
        await Promise.allSettled(this.registry.all().map((entry) => entry.queue.close()));
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.closing;
  }

  /**
   * Drops the connections, then cancels the jobs in hand: a cancelled job
   * cannot be marked failed then (no attempt spent); it stays active until
   * its lock expires and runs again on another worker.
   */
  private abandon(): void {
    for (const worker of this.workers) {
      void worker.disconnect();
      worker.cancelAllJobs('shutdown: SHUTDOWN_STEP_TIMEOUT_MS passed');
    }
    for (const entry of this.registry.all()) void entry.queue.disconnect();
  }

  private start(): void {
    const hosts = this.processors();
    if (hosts.length === 0) return;
    // The explorer reads each class's worker options when it builds its worker, synchronously in register():
    // the kit's layer is set just for that call, then the class's own options are put back.
    const own = hosts.map(({ type }) => Reflect.getMetadata(BULL_WORKER_METADATA, type) as Partial<WorkerOptions> | undefined);
    hosts.forEach(({ type, entry }, i) => Reflect.defineMetadata(BULL_WORKER_METADATA, this.workerOptions(entry, own[i]), type));
    try {
      this.registrar.register();
    } finally {
      hosts.forEach(({ type }, i) =>
        own[i] ? Reflect.defineMetadata(BULL_WORKER_METADATA, own[i], type) : Reflect.deleteMetadata(BULL_WORKER_METADATA, type),
      );
    }
    for (const { host, entry } of hosts) this.observe(host.worker, entry);
    this.logger.log(`workers started: ${hosts.map(({ entry }) => `${entry.name} ×${entry.options.concurrency}`).join(', ')}`);
  }

  /** The processor instances of this app, each with its queue; a processor without a registered queue fails the boot. */
  private processors(): Array<{ host: WorkerHost; type: ProcessorClass; entry: JobQueueEntry }> {
    const found: Array<{ host: WorkerHost; type: ProcessorClass; entry: JobQueueEntry }> = [];
    const problems: string[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const host: unknown = wrapper.instance;
      if (!(host instanceof WorkerHost)) continue;
      const type = host.constructor as ProcessorClass;
      const meta = Reflect.getMetadata(BULL_PROCESSOR_METADATA, type) as { name?: string } | undefined;
      if (!meta) continue;
      const entry = this.registry.get(meta.name ?? 'default');
      if (!entry) {
        problems.push(
          `${type.name} processes queue "${meta.name}", which no JobsModule.forFeature({ name: '${meta.name}' }) registers: register it, or fix the name.`,
        );
        continue;
      }
      found.push({ host: host as WorkerHost, type, entry });
    }
    if (problems.length > 0) throw new WiringError(problems);
    return found;
  }

  private workerOptions(entry: JobQueueEntry, own: Partial<WorkerOptions> | undefined): Partial<WorkerOptions> {
    const { options } = entry;
    const strategy = jobBackoffStrategy({
      ...options.backoff,
      isUnrecoverable: options.isUnrecoverable,
      budget: entry.budget,
      onDeferred: () => entry.stats.deferredRetries++,
    });
    return {
      connection: jobsConnection(this.redis, this.clients, 'worker'),
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: stalledCheckIntervalMs(options.lockDurationMs),
      ...own,
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string, error?: Error, job?: { id?: string }) => {
          const delay = strategy(attemptsMade, type, error);
          if (delay >= 0 && job?.id) entry.retrying.add(job.id);
          return delay;
        },
        ...own?.settings,
      },
    };
  }

  /** Counts outcomes and durations; logs dead letters and (throttled) worker errors. */
  private observe(worker: Worker, entry: JobQueueEntry): void {
    const { stats } = entry;
    this.workers.push(worker);
    // First attempts feed the retry budget (a retry took from it in the backoff strategy).
    worker.on('active', (job: Job) => {
      if (job.attemptsMade === 0) entry.budget.recordCall();
    });
    worker.on('completed', (job: Job) => {
      stats.completed++;
      if (job.processedOn && job.finishedOn) stats.duration(job.finishedOn - job.processedOn);
    });
    worker.on('failed', (job: Job | undefined, error: Error) => {
      stats.failed++;
      if (!job?.id) return;
      if (job.processedOn) stats.duration(Date.now() - job.processedOn);
      if (entry.retrying.delete(job.id)) {
        stats.retried++;
        return;
      }
      stats.dead++;
      this.logger.warn({ queue: entry.name, jobId: job.id, attempts: job.attemptsMade, err: { message: error.message } }, 'job became a dead letter');
    });
    worker.on('error', (error: Error) => {
      const suppressed = this.errorLog.take();
      if (suppressed !== undefined)
        this.logger.warn({ queue: entry.name, suppressed, err: { message: error.message } }, 'job worker error (it reconnects by itself)');
    });
  }
}
