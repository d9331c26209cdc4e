/**
 * Options of one named policy, layered module → feature → call: the module
 * layer is `ResilienceModule.forRoot({ defaults })` over
 * {@link DEFAULT_POLICY_OPTIONS}, the feature layer is
 * `ResilienceModule.forFeature({ name, ... })` (usually numbers from the
 * feature's config), the call layer is `execute(fn, { timeoutMs })`. Each
 * group (`breaker`, `bulkhead`, `retry`) is layered field by field.
 * Durations are milliseconds, rates are shares in [0, 1].
 */
export interface PolicyOptions {
  /** An attempt taking longer is abandoned: its AbortSignal is aborted and the call fails with `E_TIMEOUT`. 0 = no timeout. @default 1000 */
  readonly timeoutMs?: number;
  readonly breaker?: BreakerOptions;
  readonly bulkhead?: BulkheadOptions;
  readonly retry?: RetryOptions;
}

/** The circuit breaker: trips on the failure rate or the slow-call rate of a sliding window, or on a run of failures. */
export interface BreakerOptions {
  /** false: every call goes through, nothing is counted by the breaker. @default true */
  readonly enabled?: boolean;
  /** Length of the sliding window of attempts the rates are computed over (10 buckets). @default 10000 */
  readonly windowMs?: number;
  /** The breaker never opens on fewer attempts than this in the window. @default 10 */
  readonly minimumCalls?: number;
  /** Opens when failed attempts / attempts in the window reach this. @default 0.5 */
  readonly failureRateThreshold?: number;
  /** An attempt taking at least this long is slow (whether it succeeded or not). @default 1000 */
  readonly slowCallMs?: number;
  /** Opens when slow attempts / attempts in the window reach this. @default 0.8 */
  readonly slowCallRateThreshold?: number;
  /** How long it stays open (calls rejected at once) before letting probes through. @default 5000 */
  readonly openMs?: number;
  /** Half-open: this many probe calls may run; all must succeed (not slow) to close, one failure reopens. @default 3 */
  readonly halfOpenProbes?: number;
  /** Opens after this many failed attempts in a row, whatever the window holds. 0 = off. @default 0 */
  readonly consecutiveFailures?: number;
}

/** The bulkhead: bounded concurrency with a bounded queue; the excess is rejected at once with `E_BULKHEAD_FULL`. */
export interface BulkheadOptions {
  /** Calls running at once. 0 = no bulkhead. @default 10 */
  readonly maxConcurrent?: number;
  /** Calls waiting for a slot; one more is rejected at once. @default 10 */
  readonly maxQueue?: number;
}

/** Retries: few, spaced by full-jitter exponential backoff, only for retryable errors, within a budget. */
export interface RetryOptions {
  /** Attempts per call, the first included (1 = no retry). @default 2 */
  readonly maxAttempts?: number;
  /** Ceiling of the first retry's delay; it doubles for each further retry. @default 50 */
  readonly baseDelayMs?: number;
  /** Largest ceiling of a retry delay. @default 1000 */
  readonly maxDelayMs?: number;
  /** Retries in the budget window may not exceed this share of the calls in it. @default 0.1 */
  readonly budgetRatio?: number;
  /** The budget's sliding window. @default 10000 */
  readonly budgetWindowMs?: number;
  /** Retries always allowed per window, whatever the traffic (so a quiet policy can still retry). @default 3 */
  readonly budgetMinRetries?: number;
  /** Which errors are retried. @default {@link isRetryable}: errors with `retryable === true` */
  readonly retryOn?: (error: unknown) => boolean;
}

/** Options of one call of `execute`: the call layer. */
export interface CallOptions {
  /** Overrides the policy's `timeoutMs` for this call. */
  readonly timeoutMs?: number;
  /** The caller's own cancellation (e.g. the client went away): aborts the attempt, is not counted as a failure. */
  readonly signal?: AbortSignal;
}

/** Every option with a value. */
export interface ResolvedPolicyOptions {
  readonly timeoutMs: number;
  readonly breaker: Required<BreakerOptions>;
  readonly bulkhead: Required<BulkheadOptions>;
  readonly retry: Required<RetryOptions>;
}

/**
 * Marks an error as worth retrying: the default `retryOn` retries only errors
 * whose `retryable` property is `true` (a connection reset, a 503 from the
 * downstream), never validation errors, timeouts or open breakers.
 */
export function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/** The built-in defaults (the bottom layer). */
export const DEFAULT_POLICY_OPTIONS: ResolvedPolicyOptions = {
  timeoutMs: 1000,
  breaker: {
    enabled: true,
    windowMs: 10_000,
    minimumCalls: 10,
    failureRateThreshold: 0.5,
    slowCallMs: 1000,
    slowCallRateThreshold: 0.8,
    openMs: 5000,
    halfOpenProbes: 3,
    consecutiveFailures: 0,
  },
  bulkhead: { maxConcurrent: 10, maxQueue: 10 },
  retry: {
    maxAttempts: 2,
    baseDelayMs: 50,
    maxDelayMs: 1000,
    budgetRatio: 0.1,
    budgetWindowMs: 10_000,
    budgetMinRetries: 3,
    retryOn: isRetryable,
  },
};

/** Layers `layers` over `base` (undefined fields ignored), then checks the result. */
export function layerPolicyOptions(base: ResolvedPolicyOptions, ...layers: ReadonlyArray<PolicyOptions | undefined>): ResolvedPolicyOptions {
  let result = base;
  for (const layer of layers) {
    if (!layer) continue;
    result = {
      timeoutMs: layer.timeoutMs ?? result.timeoutMs,
      breaker: { ...result.breaker, ...defined(layer.breaker) },
      bulkhead: { ...result.bulkhead, ...defined(layer.bulkhead) },
      retry: { ...result.retry, ...defined(layer.retry) },
    };
  }
  checkOptions(result);
  return result;
}

function defined<T extends object>(layer: T | undefined): Partial<T> {
  if (!layer) return {};
  return Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Throws one error listing every invalid option. */
function checkOptions(options: ResolvedPolicyOptions): void {
  const problems: string[] = [];
  const atLeast = (path: string, value: number, min: number): void => {
    if (!Number.isFinite(value) || value < min) problems.push(`${path} must be a number ≥ ${min} (got ${value})`);
  };
  const share = (path: string, value: number): void => {
    if (!(value >= 0 && value <= 1)) problems.push(`${path} must be within [0, 1] (got ${value})`);
  };
  atLeast('timeoutMs', options.timeoutMs, 0);
  const { breaker, bulkhead, retry } = options;
  atLeast('breaker.windowMs', breaker.windowMs, 10);
  atLeast('breaker.minimumCalls', breaker.minimumCalls, 1);
  share('breaker.failureRateThreshold', breaker.failureRateThreshold);
  atLeast('breaker.slowCallMs', breaker.slowCallMs, 1);
  share('breaker.slowCallRateThreshold', breaker.slowCallRateThreshold);
  atLeast('breaker.openMs', breaker.openMs, 1);
  atLeast('breaker.halfOpenProbes', breaker.halfOpenProbes, 1);
  atLeast('breaker.consecutiveFailures', breaker.consecutiveFailures, 0);
  atLeast('bulkhead.maxConcurrent', bulkhead.maxConcurrent, 0);
  atLeast('bulkhead.maxQueue', bulkhead.maxQueue, 0);
  atLeast('retry.maxAttempts', retry.maxAttempts, 1);
  atLeast('retry.baseDelayMs', retry.baseDelayMs, 0);
  atLeast('retry.maxDelayMs', retry.maxDelayMs, 0);
  share('retry.budgetRatio', retry.budgetRatio);
  atLeast('retry.budgetWindowMs', retry.budgetWindowMs, 10);
  atLeast('retry.budgetMinRetries', retry.budgetMinRetries, 0);
  if (problems.length > 0) throw new Error(`Invalid resilience policy options: ${problems.join('; ')}.`);
}
