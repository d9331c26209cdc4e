import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type Redis from 'ioredis';
import { cacheConfig, type CacheConfig } from './cache.config';
import { redisConfig, type RedisConfig, RedisClientFactory, REDIS_CLIENT } from '../redis';
import { CacheBus } from './cache-bus';
import { CacheFastPath } from './cache-fast-path';
import { CacheLock } from './cache-lock';
import { BUS_CHANNEL } from './cache.constants';
import { CacheEvictInterceptor } from './cache-evict.interceptor';
import { CacheInterceptor } from './cache.interceptor';
import { CacheService } from './cache.service';
import { CACHE_BUS_SUBSCRIBER, MULTI_TIER_CACHE, TAG_INDEX } from './cache.tokens';
import { HotKeyTracker } from './hot-keys.tracker';
import { LruL1Store } from './lru-l1.store';
import { MultiTierCache } from './multi-tier.cache';
import { RedisL2Store } from './redis-l2.store';
import { TagIndex } from './tag.index';

/** Builds the tiers and protections from config, and starts the bus. */
function createMultiTierCache(redis: Redis, subscriber: Redis, tags: TagIndex, config: CacheConfig, redisCfg: RedisConfig): MultiTierCache {
  const l1 = new LruL1Store({ maxEntries: config.l1MaxEntries, maxBytes: config.l1MaxBytes });
  const l2 = new RedisL2Store(redis, {
    keyPrefix: redisCfg.keyPrefix,
    timeoutMs: config.l2TimeoutMs,
    breakerThreshold: config.l2BreakerThreshold,
    breakerHalfOpenAfterMs: config.l2BreakerHalfOpenMs,
  });
  const lock = new CacheLock(redis, redisCfg.keyPrefix, config.lockTtlMs, config.l2TimeoutMs);
  // eslint-disable-next-line prefer-const -- the bus may call back before the cache below exists: then there is nothing to drop
  let cache: MultiTierCache | undefined;
  const bus = new CacheBus(redis, subscriber, `${redisCfg.keyPrefix}${BUS_CHANNEL}`, {
    onKeys: (keys) => cache?.dropFromL1(keys),
    onGap: () => cache?.clearL1(),
  });
  cache = new MultiTierCache(l1, l2, new HotKeyTracker(), lock, bus, tags, {
    jitter: config.jitter,
    hotL1TtlMs: config.hotL1TtlMs,
    loaderSoftTimeoutMs: config.loaderSoftTimeoutMs,
    loaderHardTimeoutMs: config.loaderHardTimeoutMs,
    lockWaitMs: config.lockWaitMs,
  });
  // Deletes that failed while L2 was down are replayed as soon as it answers again.
  l2.onStateChange((state) => {
    if (state === 'closed') void cache.replayPendingInvalidations();
  });
  bus.start();
  return cache;
}

/**
 * The multi-tier cache kit module: `CacheService` for code, `@Cached()` for
 * GET routes. Global, so features inject `CacheService` without importing it.
 * Needs `RedisModule` (the shared client) and `LifecycleModule`.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: CACHE_BUS_SUBSCRIBER, inject: [RedisClientFactory], useFactory: (clients: RedisClientFactory) => clients.create('subscriber', 'cache-bus', { shutdownName: 'cache bus' }) },
    { provide: TAG_INDEX, inject: [REDIS_CLIENT, redisConfig.token], useFactory: (redis: Redis, config: RedisConfig) => new TagIndex(redis, config.keyPrefix) },
    {
      provide: MULTI_TIER_CACHE,
      inject: [REDIS_CLIENT, CACHE_BUS_SUBSCRIBER, TAG_INDEX, cacheConfig.token, redisConfig.token],
      useFactory: createMultiTierCache,
    },
    CacheService,
    CacheInterceptor,
    CacheEvictInterceptor,
    CacheFastPath,
  ],
  exports: [CacheService, CacheInterceptor, CacheEvictInterceptor],
})
export class CacheModule {}
