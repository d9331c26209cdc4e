import { equalJitterDelayMs } from '../resilience';

/** Options of {@link AvailabilityGate}. */
export interface AvailabilityGateOptions {
  /** Ceiling of the first pause; doubles per failed probe. */
  readonly baseMs: number;
  /** Longest pause: once PostgreSQL is back, the backlog starts landing within about this long. */
  readonly capMs: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * How long a feature's workers stop taking jobs while PostgreSQL is
 * unreachable. The first flush that finds the database unavailable closes the
 * gate for an equal-jitter delay (from `baseMs`, doubling, capped at `capMs`);
 * the first batch taken after it is the probe: failing again closes the gate
 * for longer, landing opens it for good. Failures while the gate is closed
 * (the other jobs of the same batch, another worker's batch) do not lengthen
 * it, so an outage costs about one flush per pause however many jobs wait.
 *
 * The jobs themselves are handed back to the queue untouched (BullMQ's manual
 * rate limit): an outage is not a failure of the row and uses none of its
 * attempts. Compare Netflix Hystrix's or Polly's circuit breaker, whose
 * half-open state also lets one trial call through per interval; here the
 * "calls" are batches and the interval grows with the outage.
 */
export class AvailabilityGate {
  private readonly now: () => number;
  private readonly random: () => number;
  private failedProbes = 0;
  private closedUntil = 0;
  /** Pauses started since start-up (each one is a probe that failed). */
  pauses = 0;

  constructor(private readonly options: AvailabilityGateOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Records that a flush found the database unavailable; returns how long to pause (ms from now). */
  unavailable(): number {
    const now = this.now();
    if (now < this.closedUntil) return this.closedUntil - now;
    const delay = equalJitterDelayMs(this.failedProbes++, this.options.baseMs, this.options.capMs, this.random);
    this.pauses++;
    this.closedUntil = now + delay;
    return delay;
  }

  /** Records a flush that reached the database: the next outage starts from the base delay again. */
  available(): void {
    this.failedProbes = 0;
    this.closedUntil = 0;
  }

  /** True while the last flush found the database unavailable. */
  get outage(): boolean {
    return this.failedProbes > 0;
  }
}
