import { equalJitterDelayMs, SlidingWindow } from '../resilience';

/** Options of {@link RetryPolicy}; see `WRITE_BEHIND_*` for defaults. */
export interface RetryPolicyOptions {
  /** Ceiling of the first retry's delay; doubles per attempt. */
  readonly baseMs: number;
  /** Largest delay; also the delay of a retry the budget defers. */
  readonly capMs: number;
  /** Retries may be at most this share of the attempts of the window (plus {@link minRetriesPerWindow}). */
  readonly budgetRatio: number;
  /** Length of the budget's window. @default 10_000 */
  readonly windowMs?: number;
  /** Retries always allowed per window, so that a quiet queue still retries. @default 10 */
  readonly minRetriesPerWindow?: number;
  /** Clock and randomness, replaceable in unit tests. */
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * Cautious retries: exponential backoff with jitter and a cap, and a retry
 * budget. The delay before retry n (n = attempts made so far, from 1) lies in
 * [c/2, c] with c = min(cap, base × 2^(n-1)): equal jitter
 * ({@link equalJitterDelayMs}), so delays grow from one retry to the next and
 * still spread out. When retries already exceed their share
 * of the recent attempts, a retry is deferred: it waits the cap (jittered)
 * instead of piling onto a struggling database. Attempts are counted in the
 * resilience kit's `SlidingWindow`, so the budget forgets an outage within
 * one window.
 */
export class RetryPolicy {
  private readonly minRetries: number;
  private readonly random: () => number;
  private readonly window: SlidingWindow<'attempts' | 'retries'>;
  /** Retries the budget deferred since start. */
  deferred = 0;

  constructor(private readonly options: RetryPolicyOptions) {
    this.minRetries = options.minRetriesPerWindow ?? 10;
    this.random = options.random ?? Math.random;
    this.window = new SlidingWindow(['attempts', 'retries'], options.windowMs ?? 10_000, options.now);
  }

  /** Counts one attempt (a first one or a retry) in the budget. */
  recordAttempt(isRetry: boolean): void {
    this.window.add('attempts');
    if (isRetry) this.window.add('retries');
  }

  /** The delay before the next attempt, after `attemptsMade` attempts (≥ 1). */
  delayMs(attemptsMade: number): number {
    if (!this.withinBudget()) {
      this.deferred++;
      return equalJitterDelayMs(0, this.options.capMs, this.options.capMs, this.random);
    }
    return equalJitterDelayMs(attemptsMade - 1, this.options.baseMs, this.options.capMs, this.random);
  }

  /** True while retries stay within their share of recent attempts. */
  withinBudget(): boolean {
    return this.window.sum('retries') <= this.options.budgetRatio * this.window.sum('attempts') + this.minRetries;
  }
}
