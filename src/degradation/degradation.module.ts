import { Global, Module, type DynamicModule } from '@nestjs/common';
import { RedisClientFactory } from '../redis';
import { DEGRADATION_SUBSCRIBER } from './degradation.constants';
import { DegradationInterceptor } from './degradation.interceptor';
import type { FeatureSwitchOptions } from './degradation.types';
import { FeatureSwitches } from './feature-switches.service';
import { InFlightCounter } from './in-flight.counter';
import { LoadShedder } from './load-shedder.service';
import { SwitchFileWatcher } from './switch-file.watcher';
import { SwitchOverrideStore } from './switch-override.store';

/** Holds one feature's switch declaration (see {@link DegradationModule.forFeature}). */
@Module({})
export class DegradationFeatureModule {}

/**
 * Feature switches (`FeatureSwitches`), their sources (Redis overrides, the switches file, env),
 * load shedding, and `@Degradable()`. Global: import it once in `AppModule`; features declare
 * their switch with {@link forFeature}. Needs `RedisModule` and `LifecycleModule`.
 */
@Global()
@Module({
  providers: [
    FeatureSwitches,
    InFlightCounter,
    LoadShedder,
    SwitchFileWatcher,
    {
      provide: DEGRADATION_SUBSCRIBER,
      inject: [RedisClientFactory],
      useFactory: (clients: RedisClientFactory) => clients.create('queue', 'subscriber', 'degradation-bus', { shutdownName: 'switch overrides subscriber' }),
    },
    SwitchOverrideStore,
    DegradationInterceptor,
  ],
  exports: [FeatureSwitches, InFlightCounter, LoadShedder, SwitchOverrideStore, DegradationInterceptor],
})
export class DegradationModule {
  /**
   * Declares a feature's switch (name, essential or not, default state, fallback); import the
   * result in the feature's module.
   *
   * @example `imports: [DegradationModule.forFeature({ feature: 'recommendations', essential: false, fallback: SameCategoryFallback })]`
   */
  static forFeature(options: FeatureSwitchOptions): DynamicModule {
    return {
      module: DegradationFeatureModule,
      providers: [
        {
          provide: `degradation:feature:${options.feature}`,
          inject: [FeatureSwitches],
          useFactory: (switches: FeatureSwitches) => switches.declare(options),
        },
      ],
    };
  }
}
