/** DI token of the producer connection of every queue (fail-fast ioredis client). */
export const WRITE_BEHIND_QUEUE_CONNECTION = Symbol('WRITE_BEHIND_QUEUE_CONNECTION');

/** DI token of the `ReplicaWait` on that connection. */
export const WRITE_BEHIND_REPLICA_WAIT = Symbol('WRITE_BEHIND_REPLICA_WAIT');

/** The custom backoff type of write-behind jobs (see `RetryPolicy`). */
export const BACKOFF_TYPE = 'write-behind';

/** Name of a feature's queue. */
export function queueName(entity: string): string {
  return `wb-${entity}`;
}

/** BullMQ's key prefix of every write-behind queue (the jobs kit's queues share it). */
export function bullPrefix(keyPrefix: string): string {
  return `${keyPrefix}bull`;
}

/** DI token of the `WriteBehind` of `entity`: `@InjectWriteBehind('products')`. */
export function getWriteBehindToken(entity: string): string {
  return `WriteBehind:${entity}`;
}

/** DI token of the `FeatureQueue` of `entity` (internal to the kit). */
export function getFeatureQueueToken(entity: string): string {
  return `WriteBehindFeatureQueue:${entity}`;
}
