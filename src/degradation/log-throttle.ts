/**
 * A tiny token bucket for log lines: at most `burst` lines at once and `perSecond` on average,
 * the rest counted and reported with the next line that gets through. Until the logging module
 * grows a shared helper, the admin guard and the degradation interceptor use this one.
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
