/** The shared Redis client, the factory of every other connection (and their shutdown), config, health, and re-subscription. */
export { createRedisClient, redisOptions } from './redis.client';
export type { RedisClientProfile } from './redis.client';
export { RedisClientFactory } from './redis-client.factory';
export { redisConfig } from './redis.config';
export type { RedisConfig } from './redis.config';
export { REDIS_CLIENT } from './redis.constants';
export { RedisHealthIndicator } from './redis.health';
export { RedisModule } from './redis.module';
export { subscribeOnReady } from './subscribe-on-ready';
