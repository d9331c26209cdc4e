import { ApiError } from '../http';

/**
 * Base of the errors a policy raises instead of running (or finishing) a
 * call. When one reaches HTTP it is a 503 problem with `Retry-After` (whole
 * seconds, at least 1); a feature with a fallback catches it first. Never
 * retryable: retrying a call that was just refused or abandoned adds load
 * to the dependency that is already in trouble.
 */
export abstract class ResilienceError extends ApiError {
  readonly status = 503;
  readonly title = 'Service unavailable';
  readonly retryable = false;

  constructor(
    /** Name of the policy that raised it. */
    readonly policy: string,
    detail: string,
    /** When a new call may succeed, in ms. */
    readonly retryAfterMs: number,
    cause?: unknown,
  ) {
    super(detail, { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) }, cause });
  }
}

/**
 * Why a breaker refused a call: `open` (tripped, or forced open by an
 * operator) or `half-open-full` (half-open with all its probes in flight:
 * a short-circuit).
 */
export type BreakerRejection = 'open' | 'forced-open' | 'half-open-full';

/** `E_BREAKER_OPEN` (503): the policy's circuit breaker is open; the call was not made. */
export class BreakerOpenError extends ResilienceError {
  readonly code = 'E_BREAKER_OPEN';

  constructor(
    policy: string,
    readonly reason: BreakerRejection,
    retryAfterMs: number,
  ) {
    super(policy, `The ${policy} dependency is unavailable (circuit open); try again later.`, retryAfterMs);
  }
}

/** `E_TIMEOUT` (503): the attempt took longer than the policy's timeout and was abandoned (its signal aborted). */
export class PolicyTimeoutError extends ResilienceError {
  readonly code = 'E_TIMEOUT';

  constructor(
    policy: string,
    readonly timeoutMs: number,
    cause?: unknown,
  ) {
    super(policy, `The ${policy} dependency did not answer in time.`, 1000, cause);
  }
}

/** `E_BULKHEAD_FULL` (503): every slot and queue place of the policy's bulkhead was taken; rejected at once. */
export class BulkheadFullError extends ResilienceError {
  readonly code = 'E_BULKHEAD_FULL';

  constructor(policy: string, cause?: unknown) {
    super(policy, `Too many concurrent calls to the ${policy} dependency; try again shortly.`, 1000, cause);
  }
}

/** A programming error: `get(name)` of a policy nobody registered, or a name registered twice. */
export class PolicyRegistrationError extends Error {
  readonly code = 'E_POLICY_REGISTRATION';

  constructor(message: string) {
    super(message);
    this.name = 'PolicyRegistrationError';
  }
}
