import { BulkheadPolicy, BulkheadRejectedError, TaskCancelledError, TimeoutPolicy, TimeoutStrategy, bulkhead, timeout } from 'cockatiel';
import { fullJitterDelayMs } from './backoff';
import { CircuitBreaker, type Admission, type BreakerPermit } from './circuit-breaker';
import { BreakerOpenError, BulkheadFullError, PolicyTimeoutError } from './resilience.errors';
import type { CallOptions, ResolvedPolicyOptions } from './resilience.options';
import { CALL_OUTCOMES, type BreakerState, type BreakerStateChange, type CallOutcome, type PolicyStats } from './resilience.types';
import { RetryBudget } from './retry-budget';

/** What a policy needs besides its options; tests pass fixed ones. */
export interface PolicyDeps {
  /** Breaker transitions. */
  readonly onStateChange?: (change: BreakerStateChange) => void;
  /** The clock of windows and durations. @default Date.now */
  readonly now?: () => number;
  /** The jitter source, in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** The function a policy runs: it gets an AbortSignal that aborts on timeout (pass it to `fetch`). */
export type Guarded<T> = (signal: AbortSignal) => PromiseLike<T> | T;

const NEVER_ABORTED = new AbortController().signal;

/**
 * One named policy: bulkhead → retry (budgeted, full-jitter backoff) →
 * circuit breaker → timeout → your function. Each attempt goes through the
 * breaker and the timeout; the whole call (retries included) holds one
 * bulkhead slot. A call refused by an open breaker fails before it queues
 * for the bulkhead.
 *
 * Timeout and bulkhead are cockatiel's (`TimeoutStrategy.Aggressive`: the
 * call is abandoned at the deadline even if the function ignores its
 * signal; the signal is aborted then, and when the function returns).
 * The breaker ({@link CircuitBreaker}) and the budgeted retry are ours.
 *
 * @example
 * const ids = await policy.execute(async (signal) => (await fetch(url, { signal })).json());
 */
export class ResiliencePolicy {
  private readonly breaker: CircuitBreaker;
  private readonly bulkhead: BulkheadPolicy | undefined;
  private readonly timeout: TimeoutPolicy | undefined;
  private readonly budget: RetryBudget;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly counts = {
    calls: Object.fromEntries(CALL_OUTCOMES.map((outcome) => [outcome, 0])) as Record<CallOutcome, number>,
    retries: 0,
    budgetExhausted: 0,
    slowCalls: 0,
  };

  constructor(
    readonly name: string,
    readonly options: ResolvedPolicyOptions,
    deps: PolicyDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.breaker = new CircuitBreaker(name, options.breaker, deps.onStateChange ?? (() => undefined), this.now);
    this.bulkhead = options.bulkhead.maxConcurrent > 0 ? bulkhead(options.bulkhead.maxConcurrent, options.bulkhead.maxQueue) : undefined;
    this.timeout = options.timeoutMs > 0 ? timeout(options.timeoutMs, TimeoutStrategy.Aggressive) : undefined;
    const { budgetRatio, budgetWindowMs, budgetMinRetries } = options.retry;
    this.budget = new RetryBudget(budgetRatio, budgetWindowMs, budgetMinRetries, this.now);
  }

  /**
   * Runs `fn` under the policy. Rejects with `BreakerOpenError`,
   * `BulkheadFullError` or `PolicyTimeoutError` (503 problems with
   * Retry-After if they reach HTTP), or with the function's own last error.
   * Read a response body inside `fn`: the signal is aborted once it returns.
   */
  async execute<T>(fn: Guarded<T>, call: CallOptions = {}): Promise<T> {
    const early = this.breaker.peek();
    if (early && !early.admitted) {
      const refusal = this.refused(early);
      this.counts.calls[this.outcomeOf(refusal, call)]++;
      throw refusal;
    }
    this.budget.recordCall();
    try {
      const run = () => this.withRetries(fn, call);
      const value = this.bulkhead ? await this.bulkhead.execute(run, call.signal) : await run();
      this.counts.calls.success++;
      return value;
    } catch (error) {
      if (error instanceof BulkheadRejectedError) {
        this.counts.calls.rejectedBulkhead++;
        throw new BulkheadFullError(this.name, error);
      }
      this.counts.calls[this.outcomeOf(error, call)]++;
      throw error;
    }
  }

  /** The breaker state now. */
  get state(): BreakerState {
    return this.breaker.state;
  }

  /** Operator control of the breaker; see {@link CircuitBreaker.force}. */
  forceState(state: 'open' | 'closed' | 'auto'): void {
    this.breaker.force(state);
  }

  /** Counters since start and the current state. */
  stats(): PolicyStats {
    return {
      name: this.name,
      state: this.breaker.state,
      forced: this.breaker.forced,
      calls: { ...this.counts.calls },
      retries: this.counts.retries,
      budgetExhausted: this.counts.budgetExhausted,
      slowCalls: this.counts.slowCalls,
      opened: this.breaker.opened,
      bulkhead: this.bulkhead
        ? {
            active: this.options.bulkhead.maxConcurrent - this.bulkhead.executionSlots,
            queued: this.options.bulkhead.maxQueue - this.bulkhead.queueSlots,
          }
        : { active: 0, queued: 0 },
      window: this.breaker.windowTotals(),
    };
  }

  private async withRetries<T>(fn: Guarded<T>, call: CallOptions): Promise<T> {
    const { maxAttempts, baseDelayMs, maxDelayMs, retryOn } = this.options.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(fn, call);
      } catch (error) {
        if (attempt >= maxAttempts || call.signal?.aborted || !retryOn(error)) throw error;
        if (!this.budget.tryRetry()) {
          this.counts.budgetExhausted++;
          throw error;
        }
        this.counts.retries++;
        await sleep(fullJitterDelayMs(attempt - 1, baseDelayMs, maxDelayMs, this.random), call.signal);
      }
    }
  }

  /** One attempt: through the breaker, under the timeout. */
  private async attempt<T>(fn: Guarded<T>, call: CallOptions): Promise<T> {
    const admission = this.breaker.admit();
    if (!admission.admitted) throw this.refused(admission);
    const started = this.now();
    try {
      const value = await this.runTimed(fn, call);
      this.settle(admission.permit, false, started);
      return value;
    } catch (error) {
      if (call.signal?.aborted) {
        this.breaker.release(admission.permit);
        throw error;
      }
      const timeoutMs = call.timeoutMs ?? this.options.timeoutMs;
      const failure = error instanceof TaskCancelledError ? new PolicyTimeoutError(this.name, timeoutMs, error) : error;
      this.settle(admission.permit, true, started);
      throw failure;
    }
  }

  private runTimed<T>(fn: Guarded<T>, call: CallOptions): Promise<T> {
    const timeoutMs = call.timeoutMs ?? this.options.timeoutMs;
    const policy = timeoutMs === this.options.timeoutMs ? this.timeout : timeoutMs > 0 ? timeout(timeoutMs, TimeoutStrategy.Aggressive) : undefined;
    if (!policy) return Promise.resolve(fn(call.signal ?? NEVER_ABORTED));
    // A function that rejects because its signal was aborted (fetch's AbortError) loses the
    // race against cockatiel's TaskCancelledError: both mean the attempt timed out.
    const guarded = async ({ signal }: { signal: AbortSignal }): Promise<T> => {
      try {
        return await fn(signal);
      } catch (error) {
        if (signal.aborted && !call.signal?.aborted) throw new PolicyTimeoutError(this.name, timeoutMs, error);
        throw error;
      }
    };
    return policy.execute(guarded, call.signal);
  }

  private settle(permit: BreakerPermit, failed: boolean, started: number): void {
    const durationMs = this.now() - started;
    if (durationMs >= this.options.breaker.slowCallMs) this.counts.slowCalls++;
    this.breaker.record(permit, failed, durationMs);
  }

  private refused(admission: Admission & { admitted: false }): BreakerOpenError {
    return new BreakerOpenError(this.name, admission.reason, admission.retryAfterMs);
  }

  private outcomeOf(error: unknown, call: CallOptions): CallOutcome {
    if (error instanceof BreakerOpenError) return error.reason === 'half-open-full' ? 'shortCircuit' : 'rejectedOpen';
    if (call.signal?.aborted) return 'cancelled';
    if (error instanceof PolicyTimeoutError) return 'timeout';
    return 'failure';
  }
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
