/** Metadata key of `@Cached()` on a route handler. */
export const CACHED_ROUTE = Symbol('bulwark:cached-route');

/** Metadata key of `@CacheEvict()` on a route handler. */
export const CACHE_EVICT_ROUTE = Symbol('bulwark:cache-evict-route');

/** Redis pub/sub channel suffix of the L1 invalidation bus (after REDIS_KEY_PREFIX). */
export const BUS_CHANNEL = 'cache:bus';
