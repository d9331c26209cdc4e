/** The custom backoff type of every kit job (see `jobBackoffStrategy`). */
export const JOB_BACKOFF_TYPE = 'bulwark-equal-jitter';

/** DI token of the `JobProducer` of queue `name`: `@InjectJobProducer(name)`. */
export function getJobProducerToken(name: string): string {
  return `JobProducer:${name}`;
}

/** DI token of the registry entry of queue `name` (internal to the kit). */
export function getJobQueueEntryToken(name: string): string {
  return `JobQueueEntry:${name}`;
}

/**
 * @nestjs/bullmq's metadata keys (`PROCESSOR_METADATA`, `WORKER_METADATA` in its
 * bull.constants, not exported from its index): what `@Processor(name, options)` records.
 */
export const BULL_PROCESSOR_METADATA = 'bullmq:processor_metadata';
export const BULL_WORKER_METADATA = 'bullmq:worker_metadata';
