/** What a {@link StallWatch} reads of its worker and queue at each check. */
export interface StallProbe {
  /** True when the worker's batch collector holds nothing (no batch in flight, nothing gathered). */
  idle(): boolean;
  /** Jobs waiting in the queue now. */
  waitingJobs(): Promise<number>;
  /** Milliseconds left of the queue's manual rate limit (the pause after an unreachable database); 0 or less when none. */
  rateLimitedMs(): Promise<number>;
}

/**
 * Tells when a BullMQ worker has stopped fetching: jobs wait in its queue, the queue is not
 * paused by a rate limit, the worker holds no batch, and it took no job, for `checksToStall`
 * checks in a row. Seen on Redis Cluster after a primary's failover: BullMQ 6.7's recovery of the
 * worker's blocking connection can wait forever for a cluster client to come back, and the worker,
 * still "running", takes nothing while acknowledged writes wait. A healthy worker with waiting
 * jobs and nothing in hand takes one within its block timeout (`drainDelay`, 1 s), so a few checks
 * a lock duration apart do not catch a slow flush (the batch in hand makes it not idle) nor a
 * database outage (the rate limit).
 */
export class StallWatch {
  private active = false;
  private quietChecks = 0;

  constructor(
    private readonly probe: StallProbe,
    private readonly checksToStall = 2,
  ) {}

  /** The worker took a job (its `active` event). */
  sawActivity(): void {
    this.active = true;
  }

  /** One check, every lock duration or so; true once the worker counts as stalled (then start again from zero). */
  async check(): Promise<boolean> {
    const active = this.active;
    this.active = false;
    if (active || !this.probe.idle() || (await this.probe.waitingJobs()) === 0 || (await this.probe.rateLimitedMs()) > 0) {
      this.quietChecks = 0;
      return false;
    }
    if (++this.quietChecks < this.checksToStall) return false;
    this.quietChecks = 0;
    return true;
  }
}
