import { DynamicModule, Global, Inject, Module } from '@nestjs/common';
import { DeadLettersService } from './dead-letters.service';
import { getWriteBehindToken, WRITE_BEHIND_QUEUE_CONNECTION, WRITE_BEHIND_REPLICA_WAIT } from './write-behind.constants';
import { featureProviders, missingStoreProviders, queueConnectionProvider, queueRegistration, replicaWaitProvider } from './write-behind.providers';
import { WriteBehindLifecycle } from './write-behind.lifecycle';
import { WriteBehindReadiness } from './write-behind.readiness';
import { WriteBehindRegistry } from './write-behind.registry';
import type { WriteBehindFeatureOptions } from './write-behind.types';

/** `@InjectWriteBehind('products') writes: WriteBehind<ProductState>`. */
export const InjectWriteBehind = (entity: string) => Inject(getWriteBehindToken(entity));

/**
 * The write-behind kit module. `forRoot()` (once, in AppModule): the queue
 * connection, the registry of feature queues, `DeadLettersService` and the
 * readiness details. `forFeature({ entity, store })` (in a feature): that
 * feature's queue, its `WriteBehind` producer and, in APP_ROLE worker|all,
 * its workers. Needs `RedisModule`, `LifecycleModule` and the config.
 * (`forRoot` takes no options, so `ConfigurableModuleBuilder` has nothing to build.)
 */
@Global()
@Module({})
export class WriteBehindModule {
  static forRoot(): DynamicModule {
    return {
      module: WriteBehindModule,
      providers: [queueConnectionProvider, replicaWaitProvider, WriteBehindRegistry, DeadLettersService, WriteBehindReadiness],
      exports: [WriteBehindRegistry, DeadLettersService, WRITE_BEHIND_QUEUE_CONNECTION, WRITE_BEHIND_REPLICA_WAIT],
    };
  }

  /** Registers one feature's write path; export it from the feature to inject `@InjectWriteBehind(entity)`. */
  static forFeature(options: WriteBehindFeatureOptions): DynamicModule {
    // Undefined when the store's file and the module's import each other; Nest would report a
    // circular dependency inside WriteBehindFeatureModule. This is called while the feature's file
    // loads (in its @Module()), where a throw would escape main's error report: fail at boot instead.
    if (typeof options.store !== 'function') {
      return { module: WriteBehindFeatureModule, providers: missingStoreProviders(options.entity), exports: [getWriteBehindToken(options.entity)] };
    }
    return {
      module: WriteBehindFeatureModule,
      imports: [...(options.imports ?? []), queueRegistration(options)],
      providers: featureProviders(options),
      exports: [getWriteBehindToken(options.entity), options.store, WriteBehindLifecycle],
    };
  }
}

/** Host of one `forFeature` registration (each call is its own dynamic module instance). */
@Module({})
export class WriteBehindFeatureModule {}
