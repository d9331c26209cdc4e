import type Redis from 'ioredis';
import { loadConfig } from '../../src/config/config.loader';
import { isCluster, redisConfig, type RedisConfig } from '../../src/redis';
import { createRedisClient } from '../../src/redis/redis.client';

/** The kit's Redis config for `url` (both roles on it), as the app would load it from `env`. */
export function redisConfigFor(url: string, env: Record<string, string> = {}): RedisConfig {
  return loadConfig([redisConfig], { REDIS_URL: url, REDIS_CONNECT_TIMEOUT_MS: '1000', REDIS_RETRY_MAX_DELAY_MS: '100', ...env }).get(redisConfig);
}

/** `createRedisClient` for a config without Cluster: the one-server client, typed as such. */
export function standaloneClient(...args: Parameters<typeof createRedisClient>): Redis {
  const client = createRedisClient(...args);
  if (isCluster(client)) throw new Error('standaloneClient: the config points at a Redis Cluster');
  return client;
}
