/**
 * DI token of the cache role's shared ioredis client (L2, fill locks, hot keys, the cache's tag
 * index): `@Inject(REDIS_CACHE_CLIENT) redis: Redis`. Its Redis may evict: keep nothing there
 * that must survive.
 */
export const REDIS_CACHE_CLIENT = Symbol('REDIS_CACHE_CLIENT');

/**
 * DI token of the queue role's shared ioredis client (write state, switch overrides): what must
 * not be evicted. The same client as {@link REDIS_CACHE_CLIENT} when both roles reach one Redis.
 */
export const REDIS_QUEUE_CLIENT = Symbol('REDIS_QUEUE_CLIENT');
