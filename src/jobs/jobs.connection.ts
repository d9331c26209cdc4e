import type { RedisOptions } from 'bullmq';
import { redisOptions, type RedisClientFactory, type RedisConfig, type RedisConnection } from '../redis';

/** Who uses a jobs connection: the producer (`Queue`) or a worker (blocking commands wait through reconnections). */
export type JobsConnectionRole = 'producer' | 'worker';

/**
 * The connection of the job queues: the queue role's Redis (standalone or through
 * Sentinel, which BullMQ's duplicated blocking connections keep), from the kit's connection
 * profiles (`redisOptions`: the same timeouts, backoff and per-profile options as every other
 * connection of the kit). Options, not a client: BullMQ then creates, duplicates (a worker's
 * blocking connection) and closes its own connections, as @nestjs/bullmq registers them; a shared
 * client would move their closing back to us, and a worker refuses one whose
 * `maxRetriesPerRequest` is not null. The one place jobs connect to Redis.
 *
 * On a Redis Cluster BullMQ needs a `Cluster` instance (it cannot make one from options): one
 * from `clients`, closed in the shutdown sequence's `redis` phase, after the `queues` phase
 * closed the queues and workers (BullMQ closes the blocking duplicates it made, not this one).
 *
 * The producer keeps the offline queue (BullMQ's queue sends a command at once on creation and
 * memoises its failure) with one attempt per command; `JobProducer` bounds each enqueue by
 * `JOBS_ENQUEUE_TIMEOUT_MS`.
 */
export function jobsConnection(config: RedisConfig, clients: RedisClientFactory, role: JobsConnectionRole): RedisOptions | RedisConnection {
  const profile = role === 'worker' ? 'queue-worker' : 'queue-producer';
  if (config.roles.queue.kind === 'cluster') return clients.create('queue', profile, `jobs-${role}`, { close: 'quit' });
  return redisOptions(config, 'queue', `jobs-${role}`, profile);
}
