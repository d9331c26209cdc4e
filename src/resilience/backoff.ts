/**
 * Full-jitter exponential backoff: a random delay in
 * [50 ms, min(cap, 100 ms × 2^attempt)], so that many clients retrying after
 * one outage spread out instead of arriving together.
 */
export function backoffMs(attempt: number, capMs: number): number {
  const ceiling = Math.min(capMs, 100 * 2 ** Math.min(attempt, 20));
  return Math.max(50, Math.round(Math.random() * ceiling));
}
