/** DI token of the {@link MultiTierCache} instance. */
export const MULTI_TIER_CACHE = Symbol('MULTI_TIER_CACHE');

/** DI token of the Redis tag index. */
export const TAG_INDEX = Symbol('TAG_INDEX');

/** DI token of the dedicated Redis connection the bus subscribes on. */
export const CACHE_BUS_SUBSCRIBER = Symbol('CACHE_BUS_SUBSCRIBER');
