/** The shared Redis client and its config, health and shutdown. */
export { closeOnShutdown, createRedisClient } from './redis.client';
export { redisConfig } from './redis.config';
export type { RedisConfig } from './redis.config';
export { REDIS_CLIENT } from './redis.constants';
export { RedisHealthIndicator } from './redis.health';
export { RedisModule } from './redis.module';
