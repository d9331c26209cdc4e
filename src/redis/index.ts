/** The shared Redis clients of both roles, the factory of every other connection (and their shutdown), config, health, the queue Redis's eviction policy, replica acknowledgement, re-subscription and BullMQ's stalled-check cadence. */
export { createRedisClient, redisOptions } from './redis.client';
export type { RedisClientProfile } from './redis.client';
export { RedisClientFactory } from './redis-client.factory';
export { redisConfig } from './redis.config';
export type { RedisConfig } from './redis.config';
export { REDIS_CACHE_CLIENT, REDIS_QUEUE_CLIENT } from './redis.constants';
export { QueueEvictionPolicyError, ReplicasUnconfirmedError } from './redis.errors';
export { RedisHealthIndicator } from './redis.health';
export { RedisModule } from './redis.module';
export { describeEndpoint } from './redis.roles';
export type { RedisEndpoint, RedisRole } from './redis.roles';
export { QueueEvictionPolicy } from './queue-eviction-policy';
export { ReplicaWait } from './replica-wait';
export { stalledCheckIntervalMs } from './stalled-check';
export { subscribeOnReady } from './subscribe-on-ready';
