import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { RedisConnection } from '../redis';
import { cacheConfig } from './cache.config';
import { redisConfig, type RedisConfig, RedisClientFactory, REDIS_CACHE_CLIENT } from '../redis';
import { CacheFastPath } from './cache-fast-path';
import { CacheEvictInterceptor } from './cache-evict.interceptor';
import { CacheInterceptor } from './cache.interceptor';
import { CacheService } from './cache.service';
import { CacheReloaders } from './cache-reloaders';
import { RefreshAhead } from './refresh-ahead';
import { CACHE_BUS_SUBSCRIBER, MULTI_TIER_CACHE, TAG_INDEX } from './cache.tokens';
import { createMultiTierCache } from './multi-tier.cache.factory';
import { TagIndex } from './tag.index';

/**
 * The multi-tier cache kit module: `CacheService` for code, `@Cached()` for
 * GET routes. Global, so features inject `CacheService` without importing it.
 * Needs `RedisModule` (the cache role's shared client), `LifecycleModule` and
 * `SchedulesModule` (refresh-ahead of hot keys is a schedule).
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: CACHE_BUS_SUBSCRIBER,
      inject: [RedisClientFactory],
      useFactory: (clients: RedisClientFactory) => clients.create('cache', 'subscriber', 'cache-bus', { shutdownName: 'cache bus' }),
    },
    {
      provide: TAG_INDEX,
      inject: [REDIS_CACHE_CLIENT, redisConfig.token],
      useFactory: (redis: RedisConnection, config: RedisConfig) => new TagIndex(redis, config.keyPrefix),
    },
    {
      provide: MULTI_TIER_CACHE,
      inject: [REDIS_CACHE_CLIENT, CACHE_BUS_SUBSCRIBER, TAG_INDEX, cacheConfig.token, redisConfig.token],
      useFactory: createMultiTierCache,
    },
    CacheReloaders,
    CacheService,
    RefreshAhead,
    CacheInterceptor,
    CacheEvictInterceptor,
    CacheFastPath,
  ],
  exports: [CacheService, CacheInterceptor, CacheEvictInterceptor],
})
export class CacheModule {}
