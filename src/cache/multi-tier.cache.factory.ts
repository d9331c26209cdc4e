import type { RedisConnection } from '../redis';
import type { RedisConfig } from '../redis';
import { CacheBus } from './cache-bus';
import { CacheLock } from './cache-lock';
import type { CacheConfig } from './cache.config';
import { BUS_CHANNEL } from './cache.constants';
import { HotKeyTracker } from './hot-keys.tracker';
import { LruL1Store } from './lru-l1.store';
import { MultiTierCache } from './multi-tier.cache';
import { RedisL2Store } from './redis-l2.store';
import type { TagIndex } from './tag.index';

/** Builds the tiers and protections from config, and starts the bus. */
export function createMultiTierCache(
  redis: RedisConnection,
  subscriber: RedisConnection,
  tags: TagIndex,
  config: CacheConfig,
  redisCfg: RedisConfig,
): MultiTierCache {
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
  const bus = new CacheBus(
    redis,
    subscriber,
    `${redisCfg.keyPrefix}${BUS_CHANNEL}`,
    {
      onKeys: (keys, l2Stale) => cache?.dropFromL1(keys, l2Stale),
      onGap: () => cache?.clearL1(),
      onAckTimeout: () => void (cache && cache.stats.busAckTimeouts++),
    },
    { ackTimeoutMs: config.busAckTimeoutMs },
  );
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
