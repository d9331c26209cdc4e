import { DynamicModule, Module, type Type } from '@nestjs/common';
import { AdminModule, adminConfig, isAdminPath } from './admin';
import { CacheModule, cacheConfig } from './cache';
import { appConfig, type LoadedConfig, ConfigModule } from './config';
import { clusterConfig } from './cluster';
import { databaseConfig, DatabaseModule } from './database';
import { degradationConfig, DegradationModule } from './degradation';
import { jobsConfig, JobsModule } from './jobs';
import { healthConfig, LifecycleModule } from './lifecycle';
import { loggingConfig, LoggingModule } from './logging';
import {
  metricsConfig,
  CacheMetricsCollector,
  DegradationMetricsCollector,
  JobsMetricsCollector,
  LoggingMetricsCollector,
  SchedulesMetricsCollector,
  OverloadMetricsCollector,
  ResilienceMetricsCollector,
  WriteBehindMetricsCollector,
  MetricsModule,
} from './metrics';
import { openapiConfig, openapiEnabled, OpenApiModule } from './openapi';
import { overloadConfig, OverloadModule } from './overload';
import { redisConfig, RedisModule } from './redis';
import { catalogConfig, CatalogWritesModule, CATALOG_MIGRATIONS, CatalogModule } from './features/catalog';
import { reviewsConfig, ReviewsModule, REVIEWS_MIGRATIONS, ReviewsWritesModule, ReviewsJobsModule } from './features/reviews';
import { HealthModule } from './health';
import { productEventsConfig, ProductEventsModule } from './features/product-events';
import { recommendationsConfig, RecommendationsModule } from './features/recommendations';
import { ResilienceModule } from './resilience';
import { schedulesConfig, SchedulesModule } from './schedules';
import { writeBehindConfig, WriteBehindModule } from './write-behind';
import { WiringModule } from './wiring';

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
    clusterConfig,
    loggingConfig,
    metricsConfig,
    databaseConfig,
    redisConfig,
    healthConfig,
    cacheConfig,
    writeBehindConfig,
    jobsConfig,
    schedulesConfig,
    degradationConfig,
    overloadConfig,
    adminConfig,
    openapiConfig,
    catalogConfig,
    productEventsConfig,
    recommendationsConfig,
    reviewsConfig,
  ];

  /** Features' HTTP modules: loaded in the `api` and `all` roles. */
  private static readonly apiFeatures = [CatalogModule, ProductEventsModule, RecommendationsModule, ReviewsModule];

  /** Features' queue consumers alone: loaded in the `worker` role (the API modules import them in `all`). */
  private static readonly workerFeatures = [CatalogWritesModule, ProductEventsModule, ReviewsWritesModule, ReviewsJobsModule];

  /**
   * @param extraModules more feature modules to load (in the `api` and `all` roles), for apps that
   * embed the kit and for tests that need a feature of their own.
   */
  static forRoot(config: LoadedConfig, extraModules: ReadonlyArray<Type | DynamicModule> = []): DynamicModule {
    const { role, nodeEnv } = config.get(appConfig);
    // The document lists every route of the app, the admin API's only while it is on (ADMIN_TOKEN set).
    const openapi = OpenApiModule.forRoot({
      enabled: role !== 'worker' && openapiEnabled(config.get(openapiConfig), nodeEnv),
      hidden: config.get(adminConfig).token === undefined ? isAdminPath : undefined,
    });
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LifecycleModule,
        LoggingModule,
        DatabaseModule.forRoot({ migrations: [...CATALOG_MIGRATIONS, ...REVIEWS_MIGRATIONS] }),
        RedisModule,
        CacheModule,
        DegradationModule,
        OverloadModule,
        ResilienceModule.forRoot({}),
        SchedulesModule,
        JobsModule.forRoot(),
        WriteBehindModule.forRoot(),
        MetricsModule.forRoot(config.get(metricsConfig)),
        MetricsModule.forFeature([
          CacheMetricsCollector,
          LoggingMetricsCollector,
          WriteBehindMetricsCollector,
          JobsMetricsCollector,
          SchedulesMetricsCollector,
          ResilienceMetricsCollector,
          DegradationMetricsCollector,
          OverloadMetricsCollector,
        ]),
        HealthModule,
        WiringModule,
        ...(role === 'worker' ? AppModule.workerFeatures : [AdminModule, ...AppModule.apiFeatures, ...extraModules]),
        openapi,
      ],
    };
  }
}
