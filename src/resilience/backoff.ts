/**
 * Full-jitter exponential backoff: a random delay in
 * [0, min(capMs, baseMs × 2^exponent)], so that many clients retrying after
 * one outage spread out instead of arriving together ("full jitter", as in
 * the AWS architecture blog's comparison of jitter strategies).
 *
 * @param exponent 0 for the first retry, 1 for the second, …
 * @param random a source in [0, 1); tests pass a fixed one
 */
export function fullJitterDelayMs(exponent: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(exponent, 0), 30));
  return Math.round(random() * ceiling);
}

/**
 * Equal-jitter exponential backoff: a random delay in [c/2, c] with
 * c = min(capMs, baseMs × 2^exponent). The lowest delay of one step is the
 * highest of the step before, so waits grow whatever the draws, and still
 * spread out. For retries whose spacing must grow (write-behind retries, the
 * probes of an unreachable database); {@link fullJitterDelayMs} for
 * clients that only need to spread out.
 *
 * @param exponent 0 for the first delay, 1 for the second, …
 */
export function equalJitterDelayMs(exponent: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(exponent, 0), 30));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * The reconnection backoff of the database and Redis clients: full jitter in
 * [50 ms, min(cap, 100 ms × 2^attempt)] (never below 50 ms, so a reconnect
 * loop cannot spin).
 */
export function backoffMs(attempt: number, capMs: number): number {
  return Math.max(50, fullJitterDelayMs(Math.min(attempt, 20), 100, capMs));
}
