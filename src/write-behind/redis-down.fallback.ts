import type { Logger } from '@nestjs/common';
import { LogThrottle } from '../logging';
import type { FeatureQueue } from './feature-queue';
import { WriteQueueUnavailableError } from './write-behind.errors';
import type { WriteOutcome, WriteRequest } from './write-behind.types';

/**
 * What a write does while the queue Redis cannot take it (`WRITE_BEHIND_REDIS_DOWN_MODE`):
 * `reject` answers 503, `sync` writes straight to PostgreSQL and remembers the row, whose Redis
 * state is then behind until {@link repair}. Both are counted, and logged at most once per 5 s
 * (with how many lines were dropped): an outage under load must not flood the log.
 */
export class RedisDownFallback {
  /** Rows written straight to PostgreSQL while Redis was down, whose Redis state is behind until repaired. */
  private readonly writtenAround = new Set<number>();
  private readonly throttle = new LogThrottle(0.2, 1);

  constructor(
    private readonly feature: FeatureQueue,
    private readonly logger: Logger,
  ) {}

  /** `request`, which Redis could not take because of `error`: written to PostgreSQL (`sync`), or a 503. */
  async write(request: WriteRequest, error: unknown): Promise<WriteOutcome> {
    const { config, store, stats } = this.feature;
    if (config.redisDownMode === 'sync') {
      this.warn('Redis is unreachable: writing straight to PostgreSQL (WRITE_BEHIND_REDIS_DOWN_MODE=sync)', error);
      const outcome = await store.writeSync(request);
      if (outcome.kind === 'accepted') {
        stats.counters.syncWrites++;
        this.writtenAround.add(outcome.id);
      }
      return outcome;
    }
    stats.counters.rejected++;
    this.warn('Redis is unreachable: writes answer 503 (WRITE_BEHIND_REDIS_DOWN_MODE=reject)', error);
    throw new WriteQueueUnavailableError('The write queue is unavailable. Try again shortly.', error);
  }

  /**
   * Brings the Redis state of the rows this process wrote in `sync` mode up to
   * what PostgreSQL holds (their versions, SKUs, new ids), so that later writes
   * through Redis check against them. Called when the queue connection is back;
   * ids that fail stay for the next call. Rows written in sync mode by a process
   * that dies before Redis returns are not repaired (a later write of such a row
   * may then be refused as stale, or lose to it in PostgreSQL): a documented limit.
   */
  async repair(): Promise<number> {
    let repaired = 0;
    for (const id of [...this.writtenAround]) {
      const truth = await this.feature.store.currentState(id);
      if (truth) await this.feature.state.refresh(truth);
      this.writtenAround.delete(id);
      repaired++;
    }
    if (repaired > 0) this.logger.log(`repaired the Redis state of ${repaired} rows written in sync mode`);
    return repaired;
  }

  /** A warning of the write path, rate-limited (shared by every warning of this producer). */
  warn(message: string, error: unknown): void {
    const suppressed = this.throttle.take();
    if (suppressed === undefined) return;
    this.logger.warn({ err: { message: (error as Error)?.message }, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  }
}
