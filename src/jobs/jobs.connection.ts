import type { RedisOptions } from 'bullmq';
import type { RedisConfig } from '../redis';
import { backoffMs } from '../resilience';

/** Who uses a jobs connection: the producer (`Queue`) or a worker (blocking commands wait through reconnections). */
export type JobsConnectionRole = 'producer' | 'worker';

/**
 * The connection options of the job queues, from the kit's Redis config.
 * Options, not a client: BullMQ then creates and closes its own connections,
 * and a worker's `maxRetriesPerRequest` must be null (BullMQ refuses a shared
 * client that has another). The one place jobs connect to Redis: switch it
 * here to the kit's client factory when there is one.
 *
 * The producer keeps the offline queue (BullMQ's queue sends a command at
 * once on creation and memoises its failure) with one attempt per command;
 * `JobProducer` bounds each enqueue by `JOBS_ENQUEUE_TIMEOUT_MS`.
 */
export function jobsConnection(config: RedisConfig, role: JobsConnectionRole): RedisOptions {
  return {
    url: config.url,
    connectionName: `jobs-${role}`,
    connectTimeout: config.connectTimeoutMs,
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    retryStrategy: (attempt: number) => backoffMs(attempt, config.retryMaxDelayMs),
  };
}
