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
 * [c/2, c] with c = min(cap, base × 2^(n-1)): "equal jitter", so delays grow
 * from one retry to the next (the lower bound of one is the upper bound of
 * the previous) and still spread out. When retries already exceed their share
 * of the recent attempts, a retry is deferred: it waits the cap (jittered)
 * instead of piling onto a struggling database. Counts over two half-windows,
 * so the budget forgets an outage within one window.
 */
export class RetryPolicy {
  private readonly windowMs: number;
  private readonly minRetries: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private bucketStart = 0;
  private current = { attempts: 0, retries: 0 };
  private previous = { attempts: 0, retries: 0 };
  /** Retries the budget deferred since start. */
  deferred = 0;

  constructor(private readonly options: RetryPolicyOptions) {
    this.windowMs = options.windowMs ?? 10_000;
    this.minRetries = options.minRetriesPerWindow ?? 10;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Counts one attempt (a first one or a retry) in the budget. */
  recordAttempt(isRetry: boolean): void {
    this.rotate();
    this.current.attempts++;
    if (isRetry) this.current.retries++;
  }

  /** The delay before the next attempt, after `attemptsMade` attempts (≥ 1). */
  delayMs(attemptsMade: number): number {
    const ceiling = Math.min(this.options.capMs, this.options.baseMs * 2 ** Math.min(Math.max(attemptsMade - 1, 0), 30));
    if (!this.withinBudget()) {
      this.deferred++;
      return Math.round(this.options.capMs * (0.5 + this.random() / 2));
    }
    return Math.round(ceiling * (0.5 + this.random() / 2));
  }

  /** True while retries stay within their share of recent attempts. */
  withinBudget(): boolean {
    this.rotate();
    const attempts = this.current.attempts + this.previous.attempts;
    const retries = this.current.retries + this.previous.retries;
    return retries <= this.options.budgetRatio * attempts + this.minRetries;
  }

  private rotate(): void {
    const now = this.now();
    const half = this.windowMs / 2;
    if (now - this.bucketStart < half) return;
    this.previous = now - this.bucketStart < 2 * half ? this.current : { attempts: 0, retries: 0 };
    this.current = { attempts: 0, retries: 0 };
    this.bucketStart = now;
  }
}
