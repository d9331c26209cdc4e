import { Global, Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { ReadinessDetails } from '../lifecycle';
import { bullPrefix, RedisClientFactory, redisConfig, type RedisConfig } from '../redis';
import { DeadLetters } from './dead-letters';
import { JobDeadLetters } from './job-dead-letters';
import { JobProducer } from './job.producer';
import { JobQueueEntry } from './job-queue.entry';
import { jobsConfig, type JobsConfig } from './jobs.config';
import { jobsConnection } from './jobs.connection';
import { getJobProducerToken, getJobQueueEntryToken, JOB_BACKOFF_TYPE } from './jobs.constants';
import { resolveQueueOptions } from './jobs.options';
import { JobsRegistry } from './jobs.registry';
import type { JobQueueOptions } from './jobs.types';
import { JobsWorkers } from './jobs.workers';

/** `@InjectJobProducer('mail') mail: JobProducer<MailJob>`. */
export const InjectJobProducer = (name: string) => Inject(getJobProducerToken(name));

/**
 * Background jobs on @nestjs/bullmq. `forRoot()` once in AppModule: the
 * shared BullMQ connection (from the Redis config, each queue's keys under
 * `<REDIS_KEY_PREFIX>bull:{<name>}`, see `bullPrefix`), the workers of this process
 * (`JobsWorkers`), the registry, the one dead-letter service and the
 * readiness details. `forFeature({ name, … })` in a feature: its queue
 * (`@InjectQueue(name)` works too), its `JobProducer`; the feature provides
 * its `@Processor(name)` class extending `WorkerHost` itself.
 *
 * @example
 * ```ts
 * @Processor('mail')
 * export class MailProcessor extends WorkerHost {
 *   async process(job: Job<MailJob>) { await this.mailer.send(job.data, job.id); }
 * }
 * @Module({ imports: [JobsModule.forFeature({ name: 'mail', attempts: 3 })], providers: [MailProcessor] })
 * export class MailModule {}
 * ```
 */
@Global()
@Module({})
export class JobsModule implements OnModuleInit {
  constructor(
    private readonly registry: JobsRegistry,
    private readonly details: ReadinessDetails,
    private readonly deadLetters: DeadLetters,
    private readonly jobDeadLetters: JobDeadLetters,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: JobsModule,
      imports: [
        DiscoveryModule,
        BullModule.forRootAsync({
          inject: [redisConfig.token, RedisClientFactory],
          useFactory: (redis: RedisConfig, clients: RedisClientFactory) => ({ connection: jobsConnection(redis, clients, 'producer') }),
          // Workers are built by JobsWorkers, in the roles that run them, with the kit's options.
          extraOptions: { manualRegistration: true },
        }),
      ],
      providers: [JobsRegistry, JobsWorkers, DeadLetters, JobDeadLetters],
      exports: [JobsRegistry, DeadLetters],
    };
  }

  /** Registers one job queue; export it from the feature to inject `@InjectJobProducer(name)`. */
  static forFeature(options: JobQueueOptions): DynamicModule {
    const queue = BullModule.registerQueueAsync({
      name: options.name,
      imports: options.imports ?? [],
      inject: [jobsConfig.token, redisConfig.token],
      useFactory: (config: JobsConfig, redis: RedisConfig) => {
        const resolved = resolveQueueOptions(config, options);
        return {
          // Its own hash tag: one slot per queue on a cluster (workers take the queue's prefix).
          prefix: bullPrefix(redis.keyPrefix, options.name),
          defaultJobOptions: {
            attempts: resolved.attempts,
            backoff: { type: JOB_BACKOFF_TYPE },
            removeOnComplete: config.keepCompletedS === 0 ? true : { age: config.keepCompletedS },
            removeOnFail: config.keepDeadLetters === 0 ? true : { count: config.keepDeadLetters },
          },
        };
      },
    });
    const entryToken = getJobQueueEntryToken(options.name);
    const producerToken = getJobProducerToken(options.name);
    return {
      module: JobsFeatureModule,
      imports: [queue],
      providers: [
        {
          provide: entryToken,
          inject: [getQueueToken(options.name), jobsConfig.token, JobsRegistry],
          useFactory: (bullQueue: Queue, config: JobsConfig, registry: JobsRegistry) => {
            // The producer connection's errors are logged by the workers and readiness; without a listener BullMQ would rethrow them.
            bullQueue.on('error', () => undefined);
            const entry = new JobQueueEntry(bullQueue, resolveQueueOptions(config, options));
            // Its status tells an enqueue whether Redis is reachable now (fail fast while it is not).
            bullQueue
              .getBackend()
              .client.then((client) => entry.connectedThrough(client))
              .catch(() => undefined);
            registry.register(entry);
            return entry;
          },
        },
        {
          provide: producerToken,
          inject: [entryToken, jobsConfig.token, redisConfig.token],
          useFactory: (entry: JobQueueEntry, config: JobsConfig, redis: RedisConfig) =>
            new JobProducer(entry, config.enqueueTimeoutMs, redis.queue, bullPrefix(redis.keyPrefix, options.name)),
        },
      ],
      exports: [producerToken, queue],
    };
  }

  onModuleInit(): void {
    this.deadLetters.addSource(this.jobDeadLetters);
    this.details.register('jobs', async () => {
      const depths = await Promise.all(this.registry.all().map(async (entry) => [entry.name, await entry.depth()] as const));
      return Object.fromEntries(depths.map(([name, d]) => [name, { waiting: d.waiting, delayed: d.delayed, active: d.active, deadLetters: d.failed }]));
    });
  }
}

/** Host of one `forFeature` registration (each call is its own dynamic module instance). */
@Module({})
export class JobsFeatureModule {}
