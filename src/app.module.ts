import { DynamicModule, Module } from '@nestjs/common';
import { CacheModule } from './cache/cache.module';
import { appConfig } from './config/app.config';
import { cacheConfig } from './config/cache.config';
import type { LoadedConfig } from './config/config.loader';
import { ConfigModule } from './config/config.module';
import { databaseConfig } from './config/database.config';
import { healthConfig } from './config/health.config';
import { loggingConfig } from './config/logging.config';
import { metricsConfig } from './config/metrics.config';
import { redisConfig } from './config/redis.config';
import { DatabaseModule } from './database/database.module';
import { catalogConfig } from './features/catalog/catalog.config';
import { CATALOG_MIGRATIONS, CatalogModule } from './features/catalog/catalog.module';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './health/lifecycle.module';
import { LoggingModule } from './logging/logging.module';
import { CacheMetricsCollector } from './metrics/collectors/cache.collector';
import { LoggingMetricsCollector } from './metrics/collectors/logging.collector';
import { MetricsModule } from './metrics/metrics.module';
import { RedisModule } from './redis/redis.module';

/**
 * Wires the kit modules and the feature modules, nothing else. The one place
 * that lists them all: a new feature adds its module, its config and its
 * migrations here.
 */
@Module({})
export class AppModule {
  /** Every capability's and feature's config, validated together at boot. */
  static readonly configs = [appConfig, loggingConfig, metricsConfig, databaseConfig, redisConfig, healthConfig, cacheConfig, catalogConfig];

  /** Features' HTTP modules: loaded in the `api` and `all` roles. */
  private static readonly apiFeatures = [CatalogModule];

  static forRoot(config: LoadedConfig): DynamicModule {
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
        MetricsModule.forRoot(config.get(metricsConfig)),
        MetricsModule.forFeature([CacheMetricsCollector, LoggingMetricsCollector]),
        HealthModule,
        ...(role === 'worker' ? [] : AppModule.apiFeatures),
      ],
    };
  }
}
