import type { BreakerOptions } from './resilience.options';
import type { BreakerRejection } from './resilience.errors';
import type { BreakerState, BreakerStateChange } from './resilience.types';
import { SlidingWindow } from './sliding-window';

/** The right to make one attempt, handed out by {@link CircuitBreaker.admit}; give it back with `record` or `release`. */
export interface BreakerPermit {
  readonly probe: boolean;
  /** The breaker generation (bumped on every transition): results of older permits do not move the state. */
  readonly generation: number;
}

/** The answer of {@link CircuitBreaker.admit}. */
export type Admission =
  { readonly admitted: true; readonly permit: BreakerPermit } | { readonly admitted: false; readonly reason: BreakerRejection; readonly retryAfterMs: number };

const WINDOW_KEYS = ['calls', 'failures', 'slow'] as const;

/**
 * A circuit breaker over a sliding window of attempts (cockatiel's
 * `SamplingBreaker` has no slow-call rate and lets a single probe through
 * half-open, with the other calls waiting for it; this one does neither).
 *
 * - **closed**: every attempt is admitted and recorded (failed? slow?). Once the
 *   window holds `minimumCalls` attempts and the failure rate reaches
 *   `failureRateThreshold` or the slow rate `slowCallRateThreshold`, it opens;
 *   also after `consecutiveFailures` failed attempts in a row (when not 0).
 * - **open**: every attempt is refused at once for `openMs`; then half-open
 *   (checked on the next `admit` or `state` read, no timer).
 * - **half-open**: up to `halfOpenProbes` probe attempts are admitted, the
 *   others refused at once (`half-open-full`). A failed or slow probe reopens
 *   it; when every probe succeeded, it closes with an empty window.
 * - **forced** by an operator: `open` refuses everything, `closed` admits
 *   everything; results are still counted, the state does not move until `auto`.
 *
 * Listeners get every transition (`onChange`). Time comes from `now`, so
 * tests drive it with fake timers.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private forcedState: 'open' | 'closed' | null = null;
  private openedAt = 0;
  private generation = 0;
  private probesInFlight = 0;
  private probeSuccesses = 0;
  /** Failed attempts in a row while closed (for `consecutiveFailures`). */
  private failureStreak = 0;
  private openings = 0;
  private readonly window: SlidingWindow<(typeof WINDOW_KEYS)[number]>;

  constructor(
    private readonly name: string,
    private readonly options: Required<BreakerOptions>,
    private readonly onChange: (change: BreakerStateChange) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.window = new SlidingWindow(WINDOW_KEYS, options.windowMs, now);
  }

  /** The state now (an expired open state turns half-open here). A forced breaker reports its forced state. */
  get state(): BreakerState {
    this.advance();
    return this.current;
  }

  /** The operator's forced state, or null under automatic control. */
  get forced(): 'open' | 'closed' | null {
    return this.forcedState;
  }

  /** Times it opened by itself since start. */
  get opened(): number {
    return this.openings;
  }

  /** The window's totals now. */
  windowTotals(): { calls: number; failures: number; slow: number } {
    return { calls: this.window.sum('calls'), failures: this.window.sum('failures'), slow: this.window.sum('slow') };
  }

  /**
   * The refusal `admit` would give now, without taking a probe slot; lets a
   * caller fail before queueing for a bulkhead. Undefined when a call may pass.
   */
  peek(): Admission | undefined {
    if (!this.options.enabled) return undefined;
    this.advance();
    if (this.forcedState === 'open') return this.refuse('forced-open');
    if (this.forcedState === 'closed') return undefined;
    if (this.current === 'open') return this.refuse('open');
    if (this.current === 'half-open' && this.probesInFlight + this.probeSuccesses >= this.options.halfOpenProbes) return this.refuse('half-open-full');
    return undefined;
  }

  /** Admits one attempt (taking a probe slot when half-open) or says why not. */
  admit(): Admission {
    const refusal = this.peek();
    if (refusal) return refusal;
    const probe = this.options.enabled && this.forcedState === null && this.current === 'half-open';
    if (probe) this.probesInFlight++;
    return { admitted: true, permit: { probe, generation: this.generation } };
  }

  /** Records the result of an admitted attempt. `failed`: it threw an error that counts; `durationMs`: how long it took. */
  record(permit: BreakerPermit, failed: boolean, durationMs: number): void {
    if (!this.options.enabled) return;
    const slow = durationMs >= this.options.slowCallMs;
    if (permit.generation !== this.generation) return;
    if (permit.probe) {
      this.probesInFlight--;
      if (failed || slow) return this.open(failed ? 'probe failed' : `probe slow (${Math.round(durationMs)} ms)`);
      this.probeSuccesses++;
      if (this.probeSuccesses >= this.options.halfOpenProbes) this.transition('closed', `${this.probeSuccesses} probes succeeded`);
      return;
    }
    this.window.add('calls');
    if (failed) this.window.add('failures');
    if (slow) this.window.add('slow');
    if (this.forcedState !== null || this.current !== 'closed') return;
    this.failureStreak = failed ? this.failureStreak + 1 : 0;
    const { consecutiveFailures } = this.options;
    if (consecutiveFailures > 0 && this.failureStreak >= consecutiveFailures) return this.open(`${this.failureStreak} failures in a row`);
    // The window's volume first: below it (always, for a breaker tripped by runs only) the rates are not summed.
    const calls = this.window.sum('calls');
    if (calls < this.options.minimumCalls) return;
    const failures = this.window.sum('failures');
    const slowCalls = this.window.sum('slow');
    const failureRate = failures / calls;
    const slowRate = slowCalls / calls;
    if (failures > 0 && failureRate >= this.options.failureRateThreshold)
      this.open(`failure rate ${percent(failureRate)} ≥ ${percent(this.options.failureRateThreshold)} over ${calls} calls`);
    else if (slowCalls > 0 && slowRate >= this.options.slowCallRateThreshold)
      this.open(`slow-call rate ${percent(slowRate)} ≥ ${percent(this.options.slowCallRateThreshold)} over ${calls} calls`);
  }

  /** Gives back a permit without a result (the caller cancelled): frees its probe slot. */
  release(permit: BreakerPermit): void {
    if (permit.probe && permit.generation === this.generation) this.probesInFlight--;
  }

  /**
   * Operator control: `open` refuses every call, `closed` admits every call,
   * `auto` hands control back with the breaker closed and an empty window.
   */
  force(state: 'open' | 'closed' | 'auto'): void {
    switch (state) {
      case 'open':
      case 'closed':
        this.forcedState = state;
        this.transition(state, 'forced by operator');
        return;
      case 'auto':
        this.forcedState = null;
        this.transition('closed', 'automatic control restored by operator');
        return;
      default: {
        const unknown: never = state;
        throw new Error(`unknown breaker state ${String(unknown)}`);
      }
    }
  }

  private refuse(reason: BreakerRejection): Admission {
    const retryAfterMs =
      reason === 'open'
        ? Math.max(0, this.openedAt + this.options.openMs - this.now())
        : reason === 'forced-open'
          ? this.options.openMs
          : this.options.slowCallMs;
    return { admitted: false, reason, retryAfterMs };
  }

  private advance(): void {
    if (this.forcedState === null && this.current === 'open' && this.now() >= this.openedAt + this.options.openMs) {
      this.transition('half-open', `open for ${this.options.openMs} ms`);
    }
  }

  private open(reason: string): void {
    this.openings++;
    this.openedAt = this.now();
    this.transition('open', reason);
  }

  private transition(to: BreakerState, reason: string): void {
    const from = this.current;
    this.current = to;
    this.generation++;
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    this.failureStreak = 0;
    if (to === 'closed') this.window.reset();
    if (to === 'open' && this.forcedState === 'open') this.openedAt = this.now();
    if (from !== to) this.onChange({ policy: this.name, from, to, reason, at: this.now() });
  }
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
