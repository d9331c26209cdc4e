import { ApiError } from '../http';

/**
 * Why an L2 call failed:
 * - `error`: Redis answered with an error or the connection is down (the client fails at once);
 * - `timeout`: no answer within the L2 timeout;
 * - `open`: not attempted, the L2 breaker is open (or half-open with its probe in flight).
 */
export type L2FailureReason = 'error' | 'timeout' | 'open';

/**
 * Every failure of the L2 tier (Redis) is wrapped in this one type, so callers
 * catch one thing and treat it as a miss. The original error is the `cause`.
 *
 * @example
 * try { entry = await l2.get(key); } catch (error) { if (!(error instanceof L2UnavailableError)) throw error; }
 */
export class L2UnavailableError extends Error {
  readonly code = 'E_L2_UNAVAILABLE';

  constructor(
    readonly reason: L2FailureReason,
    readonly operation: string,
    cause: unknown,
  ) {
    super(`L2 cache ${operation} failed (${reason}): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'L2UnavailableError';
  }
}

/**
 * 503: a load (the database behind the cache) took longer than
 * `CACHE_LOADER_HARD_TIMEOUT_MS` and no stale value could be served instead.
 * A dependency problem, not a bug: the client may retry after `Retry-After`.
 */
export class LoadTimeoutError extends ApiError {
  readonly status = 503;
  readonly code = 'E_LOAD_TIMEOUT';
  readonly title = 'Service unavailable';

  constructor(timeoutMs: number, cause: unknown) {
    super(`The data source did not answer within ${timeoutMs} ms. Try again shortly.`, { cause, headers: { 'retry-after': '1' } });
  }
}
