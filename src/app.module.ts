import { DynamicModule, Module, type Type } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { CacheModule } from './cache/cache.module';
import { adminConfig } from './admin/admin.config';
import { appConfig } from './config/app.config';
import { cacheConfig } from './cache/cache.config';
import type { LoadedConfig } from './config/config.loader';
import { ConfigModule } from './config/config.module';
import { databaseConfig } from './database/database.config';
import { degradationConfig } from './degradation/degradation.config';
import { healthConfig } from './lifecycle/health.config';
import { loggingConfig } from './logging/logging.config';
import { metricsConfig } from './metrics/metrics.config';
import { redisConfig } from './redis/redis.config';
import { DatabaseModule } from './database/database.module';
import { DegradationModule } from './degradation/degradation.module';
import { catalogConfig } from './features/catalog/catalog.config';
import { CatalogWritesModule } from './features/catalog/catalog-writes.module';
import { CATALOG_MIGRATIONS, CatalogModule } from './features/catalog/catalog.module';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { LoggingModule } from './logging/logging.module';
import { CacheMetricsCollector } from './metrics/collectors/cache.collector';
import { DegradationMetricsCollector } from './metrics/collectors/degradation.collector';
import { LoggingMetricsCollector } from './metrics/collectors/logging.collector';
import { ResilienceMetricsCollector } from './metrics/collectors/resilience.collector';
import { WriteBehindMetricsCollector } from './metrics/collectors/write-behind.collector';
import { MetricsModule } from './metrics/metrics.module';
import { RedisModule } from './redis/redis.module';
import { recommendationsConfig } from './features/recommendations/recommendations.config';
import { RecommendationsModule } from './features/recommendations/recommendations.module';
import { ResilienceModule } from './resilience/resilience.module';
import { writeBehindConfig } from './write-behind/write-behind.config';
import { WriteBehindModule } from './write-behind/write-behind.module';
import { WiringModule } from './wiring/wiring.module';

/**
 * Wires the kit modules and the feature modules, nothing else. The one place
 * that lists them all: a new feature adds its module, its config and its
 * migrations here.
 */
@Module({})
export class AppModule {
  /** Every capability's and feature's config, validated together at boot. */
  static readonly configs = [
    appConfig,
    loggingConfig,
    metricsConfig,
    databaseConfig,
    redisConfig,
    healthConfig,
    cacheConfig,
    writeBehindConfig,
    degradationConfig,
    adminConfig,
    catalogConfig,
    recommendationsConfig,
  ];

  /** Features' HTTP modules: loaded in the `api` and `all` roles. */
  private static readonly apiFeatures = [CatalogModule, RecommendationsModule];

  /** Features' queue consumers alone: loaded in the `worker` role (the API modules import them in `all`). */
  private static readonly workerFeatures = [CatalogWritesModule];

  /**
   * @param extraModules more feature modules to load (in the `api` and `all` roles), for apps that
   * embed the kit and for tests that need a feature of their own.
   */
  static forRoot(config: LoadedConfig, extraModules: ReadonlyArray<Type | DynamicModule> = []): DynamicModule {
    const role = config.get(appConfig).role;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LifecycleModule,
        LoggingModule,
        DatabaseModule.forRoot({ migrations: [...CATALOG_MIGRATIONS] }),
        RedisModule,
        CacheModule,
        DegradationModule,
        ResilienceModule.forRoot({}),
        WriteBehindModule.forRoot(),
        MetricsModule.forRoot(config.get(metricsConfig)),
        MetricsModule.forFeature([
          CacheMetricsCollector,
          LoggingMetricsCollector,
          WriteBehindMetricsCollector,
          ResilienceMetricsCollector,
          DegradationMetricsCollector,
        ]),
        HealthModule,
        WiringModule,
        ...(role === 'worker' ? AppModule.workerFeatures : [AdminModule, ...AppModule.apiFeatures, ...extraModules]),
      ],
    };
  }
}
