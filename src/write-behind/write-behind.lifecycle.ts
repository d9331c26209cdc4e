import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { AppRole } from '../config';
import type { RedisClientFactory } from '../redis';
import type { ShutdownSequence, StartupTracker } from '../lifecycle';
import type { Schedules } from '../schedules';
import type { FeatureQueue } from './feature-queue';
import type { WriteBehind } from './write-behind.service';
import { reconcileSchedule } from './write-behind.reconciler';
import { WriteBehindWorker } from './write-behind.worker';

/**
 * Start and stop of one feature's write path: loads the row states into Redis
 * at start (a start-up task that ends after the first try, so that a Redis
 * outage at boot is a degraded state, not a pod that never starts; later
 * writes load it when needed), starts the workers in APP_ROLE worker|all
 * with their reconciler (a fleet-once schedule) once the store is ready, and
 * closes them in the `queues` phase of shutdown (stop taking jobs, finish the
 * batch in hand), then the queue.
 */
export class WriteBehindLifecycle implements OnApplicationBootstrap {
  private readonly logger: Logger;
  /** The workers, when this process runs them (taking jobs once the store is ready). */
  worker?: WriteBehindWorker;
  private closing = false;

  constructor(
    private readonly feature: FeatureQueue,
    private readonly producer: WriteBehind,
    private readonly role: AppRole,
    private readonly clients: RedisClientFactory,
    private readonly shutdown: ShutdownSequence,
    private readonly startup: StartupTracker,
    private readonly schedules: Pick<Schedules, 'add'>,
  ) {
    this.logger = new Logger(`WriteBehind:${feature.entity}`);
  }

  onApplicationBootstrap(): void {
    // Redis is back: rows written around it get their state repaired (a few tries: the shared client may reconnect a moment later).
    const repair = (triesLeft: number): void => {
      this.producer.repairWrittenAround().catch((error: unknown) => {
        if (triesLeft > 0) setTimeout(() => repair(triesLeft - 1), 1_000).unref();
        else this.logger.warn({ err: { message: (error as Error).message } }, 'repairing rows written in sync mode failed; retried on the next reconnection');
      });
    };
    this.feature.onProducerReady(() => repair(10));
    this.startup.track(`write-behind:${this.feature.entity}`, this.producer.load());
    if (this.role !== 'api') {
      const worker = new WriteBehindWorker(this.feature, this.clients);
      this.worker = worker;
      // Not before the table is migrated and seeded: a batch flushed earlier would meet a database that is not there
      // yet. Jobs wait in the queue meanwhile; the start-up tracker already waits for the same database.
      void this.feature.store
        .whenReady()
        .then(() => {
          if (this.closing) return;
          worker.start();
          this.schedules.add(reconcileSchedule(this.feature.entity, worker, this.feature.config.reconcileEveryMs));
          this.logger.log(`${this.feature.config.workers} worker(s) started, batches of up to ${this.feature.config.batchSize}`);
        })
        .catch((error: unknown) => this.logger.error({ err: { message: (error as Error).message } }, 'the workers could not start'));
    }
    this.shutdown.register(
      'queues',
      `write-behind:${this.feature.entity}`,
      async () => {
        this.closing = true;
        await this.worker?.close();
        await this.feature.queue.close();
      },
      // A batch cut short here is retried by another worker once its lock expires (idempotent upserts).
      { abandon: () => this.worker?.abandon() },
    );
  }
}
