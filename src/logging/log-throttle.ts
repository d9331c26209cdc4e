/**
 * A token bucket for one log site: at most `burst` lines at once and `perSecond` on average, the
 * rest counted and reported with the next line that gets through. For lines that would otherwise
 * be written once per request (a refused admin token, a fallback served): one line every few
 * seconds that carries the count says more than the global limit (`log-rate-limiter.ts`, a bucket
 * per template, the safety net for every other line) would let through.
 *
 * @example
 * ```ts
 * const throttle = new LogThrottle(5, 5);
 * const suppressed = throttle.take();
 * if (suppressed !== undefined) logger.warn({ suppressed }, 'admin auth failed');
 * ```
 */
export class LogThrottle {
  private tokens: number;
  private refilledAtMs: number;
  private suppressed = 0;

  constructor(
    private readonly perSecond = 5,
    private readonly burst = 5,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.refilledAtMs = now();
  }

  /** Undefined when this line must be dropped; else how many lines were dropped since the last one written. */
  take(): number | undefined {
    const nowMs = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.refilledAtMs) / 1000) * this.perSecond);
    this.refilledAtMs = nowMs;
    if (this.tokens < 1) {
      this.suppressed += 1;
      return undefined;
    }
    this.tokens -= 1;
    const dropped = this.suppressed;
    this.suppressed = 0;
    return dropped;
  }
}
