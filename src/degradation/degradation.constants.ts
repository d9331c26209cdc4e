/**
 * Redis hash (under REDIS_KEY_PREFIX) holding the runtime overrides: field = feature, value = state. Hash-tagged
 * like {@link OVERRIDES_CHANNEL}: on a cluster the MULTI that writes one and publishes on the other needs one slot.
 */
export const OVERRIDES_KEY = '{degradation}:overrides';

/** Redis pub/sub channel (under REDIS_KEY_PREFIX, in the slot of {@link OVERRIDES_KEY}) on which override changes are broadcast. */
export const OVERRIDES_CHANNEL = '{degradation}:switches';

/** Response header naming the feature whose fallback (or 503) answered instead of the handler. */
export const DEGRADED_HEADER = 'x-degraded';

/** Route metadata key of `@Degradable()`. */
export const DEGRADABLE_ROUTE = 'bulwark:degradable';

/** DI token of the dedicated Redis connection the override store subscribes on. */
export const DEGRADATION_SUBSCRIBER = Symbol('DEGRADATION_SUBSCRIBER');
