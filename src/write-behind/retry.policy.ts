import { equalJitterDelayMs, RetryBudget } from '../resilience';

/** Options of {@link RetryPolicy}; see `WRITE_BEHIND_*` for defaults. */
export interface RetryPolicyOptions {
  /** Ceiling of the first retry's delay; doubles per attempt. */
  readonly baseMs: number;
  /** Largest delay; also the delay of a retry the budget defers. */
  readonly capMs: number;
  /** Retries may be at most this share of the first attempts of the window (at least {@link minRetriesPerWindow}). */
  readonly budgetRatio: number;
  /** Length of the budget's window. @default 10_000 */
  readonly windowMs?: number;
  /** Retries allowed per window whatever the traffic, so that a quiet queue still retries. @default 10 */
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
 * still spread out. Each retry takes one from the resilience kit's
 * {@link RetryBudget} (over a sliding window, retries may be `budgetRatio` of
 * the first attempts, at least `minRetriesPerWindow`); when it is spent, the
 * retry is deferred: it waits the cap (jittered) instead of piling onto a
 * struggling database, and it takes nothing from the budget. The budget
 * forgets an outage within one window.
 */
export class RetryPolicy {
  private readonly random: () => number;
  private readonly budget: RetryBudget;
  /** Retries the budget deferred since start. */
  deferred = 0;

  constructor(private readonly options: RetryPolicyOptions) {
    this.random = options.random ?? Math.random;
    this.budget = new RetryBudget(options.budgetRatio, options.windowMs ?? 10_000, options.minRetriesPerWindow ?? 10, options.now);
  }

  /** Counts a first attempt in the budget (a retry was counted when {@link delayMs} let it through). */
  recordAttempt(isRetry: boolean): void {
    if (!isRetry) this.budget.recordCall();
  }

  /** The delay before the next attempt, after `attemptsMade` attempts (≥ 1); takes one retry from the budget. */
  delayMs(attemptsMade: number): number {
    if (!this.budget.tryRetry()) {
      this.deferred++;
      return equalJitterDelayMs(0, this.options.capMs, this.options.capMs, this.random);
    }
    return equalJitterDelayMs(attemptsMade - 1, this.options.baseMs, this.options.capMs, this.random);
  }
}
