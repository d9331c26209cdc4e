import type { DynamicModule, Provider } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { appConfig, type AppConfig } from '../config';
import { ShutdownSequence, StartupTracker, WiringError } from '../lifecycle';
import { bullPrefix, redisConfig, type RedisConfig, RedisClientFactory, type RedisConnection, REDIS_QUEUE_CLIENT, ReplicaWait } from '../redis';
import { Schedules } from '../schedules';
import { FeatureQueue } from './feature-queue';
import { writeBehindConfig, type WriteBehindConfig } from './write-behind.config';
import {
  BACKOFF_TYPE,
  getFeatureQueueToken,
  getWriteBehindToken,
  queueName,
  WRITE_BEHIND_QUEUE_CONNECTION,
  WRITE_BEHIND_REPLICA_WAIT,
} from './write-behind.constants';
import { WriteBehindLifecycle } from './write-behind.lifecycle';
import { withQueueOptions } from './write-behind.options';
import { WriteBehindRegistry } from './write-behind.registry';
import { WriteBehind } from './write-behind.service';
import type { WriteBehindFeatureOptions, WriteBehindStore, WriteJobData } from './write-behind.types';

/** The producer connection every feature queue shares (profile `queue-producer`, QUIT at shutdown). */
export const queueConnectionProvider: Provider = {
  provide: WRITE_BEHIND_QUEUE_CONNECTION,
  inject: [RedisClientFactory],
  useFactory: (clients: RedisClientFactory) => clients.create('queue', 'queue-producer', 'write-behind-producer', { shutdownName: 'write-behind producer' }),
};

/** The replica acknowledgement (WAIT) of that connection, shared by every feature queue: its WAITs are shared too. */
export const replicaWaitProvider: Provider = {
  provide: WRITE_BEHIND_REPLICA_WAIT,
  inject: [WRITE_BEHIND_QUEUE_CONNECTION, redisConfig.token],
  useFactory: (connection: RedisConnection, config: RedisConfig) => new ReplicaWait(connection, config.queue.minReplicas, config.queue.waitTimeoutMs),
};

/**
 * A feature's BullMQ queue, registered the `@nestjs/bullmq` way (so `@InjectQueue('wb-<entity>')`
 * works too): on the shared producer connection (fail fast, its WAIT covers RESERVE and the add),
 * keys under `<REDIS_KEY_PREFIX>bull:{wb-<entity>}` (one slot on a cluster), the feature's attempts and dead-letter retention. The
 * workers are the kit's own (`WriteBehindWorker`): each gathers jobs into batches of rows.
 */
export function queueRegistration(options: WriteBehindFeatureOptions): DynamicModule {
  return BullModule.registerQueueAsync({
    name: queueName(options.entity),
    inject: [WRITE_BEHIND_QUEUE_CONNECTION, writeBehindConfig.token, redisConfig.token],
    useFactory: (connection: RedisConnection, moduleConfig: WriteBehindConfig, redis: RedisConfig) => {
      const config = withQueueOptions(moduleConfig, options.queue);
      return {
        connection,
        prefix: bullPrefix(redis.keyPrefix, queueName(options.entity)),
        defaultJobOptions: {
          attempts: config.attempts,
          backoff: { type: BACKOFF_TYPE },
          removeOnComplete: true,
          removeOnFail: config.keepDeadLetters === 0 ? true : { count: config.keepDeadLetters },
        },
      };
    },
  });
}

/** One feature's providers: its store, its queue (registered in the registry), its producer and its lifecycle. */
export function featureProviders(options: WriteBehindFeatureOptions): Provider[] {
  const queueToken = getFeatureQueueToken(options.entity);
  const producerToken = getWriteBehindToken(options.entity);
  return [
    options.store,
    {
      provide: queueToken,
      inject: [
        options.store,
        REDIS_QUEUE_CLIENT,
        WRITE_BEHIND_QUEUE_CONNECTION,
        writeBehindConfig.token,
        redisConfig.token,
        WriteBehindRegistry,
        WRITE_BEHIND_REPLICA_WAIT,
        getQueueToken(queueName(options.entity)),
      ],
      useFactory: (
        store: WriteBehindStore<unknown>,
        redis: RedisConnection,
        connection: RedisConnection,
        config: WriteBehindConfig,
        redisCfg: RedisConfig,
        registry: WriteBehindRegistry,
        replicas: ReplicaWait,
        queue: Queue<WriteJobData>,
      ) => {
        const feature = new FeatureQueue(
          options.entity,
          store,
          redis,
          connection,
          redisCfg.keyPrefix,
          withQueueOptions(config, options.queue),
          replicas,
          queue,
        );
        registry.register(feature);
        return feature;
      },
    },
    { provide: producerToken, inject: [queueToken], useFactory: (feature: FeatureQueue) => new WriteBehind(feature) },
    {
      provide: WriteBehindLifecycle,
      inject: [queueToken, producerToken, appConfig.token, RedisClientFactory, ShutdownSequence, StartupTracker, Schedules],
      useFactory: (
        feature: FeatureQueue,
        producer: WriteBehind,
        app: AppConfig,
        clients: RedisClientFactory,
        shutdown: ShutdownSequence,
        startup: StartupTracker,
        schedules: Schedules,
      ) => new WriteBehindLifecycle(feature, producer, app.role, clients, shutdown, startup, schedules),
    },
  ];
}

/**
 * Stands in for the providers of a `forFeature` call without a store: its one
 * provider fails the boot with a {@link WiringError} naming the entity.
 */
export function missingStoreProviders(entity: string): Provider[] {
  const problem =
    `WriteBehindModule.forFeature({ entity: '${entity}' }) has no store (it is undefined): pass the feature's store class; ` +
    `when it is imported, an import cycle between its file and the module's leaves it undefined at that point.`;
  return [
    {
      provide: getWriteBehindToken(entity),
      useFactory: () => {
        throw new WiringError([problem]);
      },
    },
  ];
}
