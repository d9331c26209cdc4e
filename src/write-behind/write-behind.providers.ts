import type { Provider } from '@nestjs/common';
import type { RedisConnection } from '../redis';
import { appConfig, type AppConfig } from '../config';
import { ShutdownSequence, StartupTracker, WiringError } from '../lifecycle';
import { redisConfig, type RedisConfig, RedisClientFactory, REDIS_QUEUE_CLIENT, ReplicaWait } from '../redis';
import { Schedules } from '../schedules';
import { FeatureQueue } from './feature-queue';
import { writeBehindConfig, type WriteBehindConfig } from './write-behind.config';
import { getFeatureQueueToken, getWriteBehindToken, WRITE_BEHIND_QUEUE_CONNECTION, WRITE_BEHIND_REPLICA_WAIT } from './write-behind.constants';
import { WriteBehindLifecycle } from './write-behind.lifecycle';
import { withQueueOptions } from './write-behind.options';
import { WriteBehindRegistry } from './write-behind.registry';
import { WriteBehind } from './write-behind.service';
import type { WriteBehindFeatureOptions, WriteBehindStore } from './write-behind.types';

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
      ],
      useFactory: (
        store: WriteBehindStore<unknown>,
        redis: RedisConnection,
        connection: RedisConnection,
        config: WriteBehindConfig,
        redisCfg: RedisConfig,
        registry: WriteBehindRegistry,
        replicas: ReplicaWait,
      ) => {
        const feature = new FeatureQueue(options.entity, store, redis, connection, redisCfg.keyPrefix, withQueueOptions(config, options.queue), replicas);
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
