/**
 * `<prefix>{<key>}`: a key whose Redis Cluster slot is decided by `key` alone,
 * so keys made of the same `key` under different prefixes (an L2 value and its
 * generation) share a slot, and one script or MULTI may take them together. On
 * a single server it is only a name. `prefix` must contain no `{` or `}` (the
 * REDIS_KEY_PREFIX rule); a `key` that is empty or starts with `}` would make an
 * empty tag (Redis then hashes the whole name), so it is tagged `{_}`.
 *
 * @example slotKey('bulwark:cache:', 'product:42') // 'bulwark:cache:{product:42}'
 */
export function slotKey(prefix: string, key: string): string {
  return key === '' || key.startsWith('}') ? `${prefix}{_}${key}` : `${prefix}{${key}}`;
}

/**
 * BullMQ's key prefix of the queue `queueName`: `<keyPrefix>bull:{<queueName>}`.
 * Every Lua script of BullMQ takes several keys of one queue, so on a cluster the
 * queue must live in one slot (BullMQ's rule: a hash-tagged prefix); the tag holds
 * the queue's name, so that each queue hashes to its own slot and several queues
 * spread over the primaries. BullMQ's keys are `<prefix>:<queueName>:<…>`.
 *
 * @example bullPrefix('bulwark:', 'wb-products') // 'bulwark:bull:{wb-products}'
 */
export function bullPrefix(keyPrefix: string, queueName: string): string {
  return slotKey(`${keyPrefix}bull:`, queueName);
}
