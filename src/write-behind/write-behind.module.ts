import { DynamicModule, Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { appConfig, type AppConfig } from '../config';
import { redisConfig, type RedisConfig, RedisClientFactory, REDIS_CLIENT } from '../redis';
import { writeBehindConfig, type WriteBehindConfig } from './write-behind.config';
import { ReadinessDetails, ShutdownSequence, StartupTracker, WiringError } from '../lifecycle';
import { DeadLettersService } from './dead-letters.service';
import { FeatureQueue } from './feature-queue';
import { getFeatureQueueToken, getWriteBehindToken, WRITE_BEHIND_QUEUE_CONNECTION } from './write-behind.constants';
import { WriteBehindLifecycle } from './write-behind.lifecycle';
import { WriteBehindRegistry } from './write-behind.registry';
import { WriteBehind } from './write-behind.service';
import { withQueueOptions } from './write-behind.options';
import type { WriteBehindFeatureOptions, WriteBehindStore } from './write-behind.types';

/** `@InjectWriteBehind('products') writes: WriteBehind<ProductState>`. */
export const InjectWriteBehind = (entity: string) => Inject(getWriteBehindToken(entity));

/**
 * The write-behind kit module. `forRoot()` (once, in AppModule): the queue
 * connection, the registry of feature queues, `DeadLettersService` and the
 * readiness details. `forFeature({ entity, store })` (in a feature): that
 * feature's queue, its `WriteBehind` producer and, in APP_ROLE worker|all,
 * its workers. Needs `RedisModule`, `LifecycleModule` and the config.
 */
@Global()
@Module({})
export class WriteBehindModule implements OnModuleInit {
  constructor(
    private readonly registry: WriteBehindRegistry,
    private readonly details: ReadinessDetails,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: WriteBehindModule,
      providers: [
        {
          provide: WRITE_BEHIND_QUEUE_CONNECTION,
          inject: [RedisClientFactory],
          useFactory: (clients: RedisClientFactory) => clients.create('queue-producer', 'write-behind-producer', { shutdownName: 'write-behind producer' }),
        },
        WriteBehindRegistry,
        DeadLettersService,
      ],
      exports: [WriteBehindRegistry, DeadLettersService, WRITE_BEHIND_QUEUE_CONNECTION],
    };
  }

  /** Registers one feature's write path; export it from the feature to inject `@InjectWriteBehind(entity)`. */
  static forFeature(options: WriteBehindFeatureOptions): DynamicModule {
    // Undefined when the store's file and the module's import each other; Nest would report a
    // circular dependency inside WriteBehindFeatureModule. This is called while the feature's file
    // loads (in its @Module()), where a throw would escape main's error report: fail at boot instead.
    if (typeof options.store !== 'function') return missingStoreModule(options.entity);
    const queueToken = getFeatureQueueToken(options.entity);
    const producerToken = getWriteBehindToken(options.entity);
    return {
      module: WriteBehindFeatureModule,
      imports: options.imports ?? [],
      providers: [
        options.store,
        {
          provide: queueToken,
          inject: [options.store, REDIS_CLIENT, WRITE_BEHIND_QUEUE_CONNECTION, writeBehindConfig.token, redisConfig.token, WriteBehindRegistry],
          useFactory: (store: WriteBehindStore<unknown>, redis: Redis, connection: Redis, config: WriteBehindConfig, redisCfg: RedisConfig, registry: WriteBehindRegistry) => {
            const queueConfig = withQueueOptions(config, options.queue);
            const feature = new FeatureQueue(options.entity, store, redis, connection, redisCfg.keyPrefix, queueConfig);
            registry.register(feature);
            return feature;
          },
        },
        { provide: producerToken, inject: [queueToken], useFactory: (feature: FeatureQueue) => new WriteBehind(feature) },
        {
          provide: WriteBehindLifecycle,
          inject: [queueToken, producerToken, appConfig.token, RedisClientFactory, ShutdownSequence, StartupTracker],
          useFactory: (feature: FeatureQueue, producer: WriteBehind, app: AppConfig, clients: RedisClientFactory, shutdown: ShutdownSequence, startup: StartupTracker) =>
            new WriteBehindLifecycle(feature, producer, app.role, clients, shutdown, startup),
        },
      ],
      exports: [producerToken, options.store, WriteBehindLifecycle],
    };
  }

  onModuleInit(): void {
    this.details.register('writeBehind', async () => {
      const stats = await this.registry.stats();
      return Object.fromEntries(
        stats.map((s) => [
          s.entity,
          {
            queueDepth: s.queueDepth,
            active: s.active,
            stalled: s.stalled,
            oldestWaitingAgeMs: s.oldestWaitingAgeMs,
            backlogOverBound: s.backlogOverBound,
            databaseOutage: s.databaseOutage,
            deadLetters: s.deadLetters,
            flushLagMs: s.flushLagMs,
          },
        ]),
      );
    });
  }
}

/** A feature module whose one provider fails the boot with a {@link WiringError} naming the entity. */
function missingStoreModule(entity: string): DynamicModule {
  const problem =
    `WriteBehindModule.forFeature({ entity: '${entity}' }) has no store (it is undefined): pass the feature's store class; ` +
    `when it is imported, an import cycle between its file and the module's leaves it undefined at that point.`;
  return {
    module: WriteBehindFeatureModule,
    providers: [
      {
        provide: getWriteBehindToken(entity),
        useFactory: () => {
          throw new WiringError([problem]);
        },
      },
    ],
    exports: [getWriteBehindToken(entity)],
  };
}

/** Host of one `forFeature` registration (each call is its own dynamic module instance). */
@Module({})
export class WriteBehindFeatureModule {}
