import type { RedisOptions } from 'bullmq';
import { redisOptions, type RedisConfig } from '../redis';

/** Who uses a jobs connection: the producer (`Queue`) or a worker (blocking commands wait through reconnections). */
export type JobsConnectionRole = 'producer' | 'worker';

/**
 * The connection options of the job queues: the queue role's Redis (standalone or through
 * Sentinel, which BullMQ's duplicated blocking connections keep), from the kit's connection
 * profiles (`redisOptions`: the same timeouts, backoff and per-profile options as every other
 * connection of the kit). Options, not a client: BullMQ then creates, duplicates (a worker's
 * blocking connection) and closes its own connections, as @nestjs/bullmq registers them; a shared
 * client would move their closing back to us, and a worker refuses one whose
 * `maxRetriesPerRequest` is not null. The one place jobs connect to Redis.
 *
 * The producer keeps the offline queue (BullMQ's queue sends a command at once on creation and
 * memoises its failure) with one attempt per command; `JobProducer` bounds each enqueue by
 * `JOBS_ENQUEUE_TIMEOUT_MS`.
 */
export function jobsConnection(config: RedisConfig, role: JobsConnectionRole): RedisOptions {
  return redisOptions(config, 'queue', `jobs-${role}`, role === 'worker' ? 'queue-worker' : 'queue-producer');
}
