import { SlidingWindow } from './sliding-window';

const KEYS = ['calls', 'retries'] as const;

/**
 * A retry budget: over a sliding window, retries may not exceed `ratio` of
 * the calls (at least `minRetries`). When a dependency fails for everyone,
 * retries stop at that share instead of multiplying the load on it (a
 * retry storm); a few retries per window are always allowed so that a
 * quiet policy can still ride over a blip.
 */
export class RetryBudget {
  private readonly window: SlidingWindow<(typeof KEYS)[number]>;

  constructor(
    private readonly ratio: number,
    windowMs: number,
    private readonly minRetries: number,
    now: () => number = Date.now,
  ) {
    this.window = new SlidingWindow(KEYS, windowMs, now);
  }

  /** Counts one call (its first attempt). */
  recordCall(): void {
    this.window.add('calls');
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryRetry(): boolean {
    const allowed = Math.max(this.minRetries, Math.floor(this.ratio * this.window.sum('calls')));
    if (this.window.sum('retries') >= allowed) return false;
    this.window.add('retries');
    return true;
  }
}
