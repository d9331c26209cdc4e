/** State of a circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** A state an operator can force (`forceState`), or `auto` to hand control back. */
export type ForcedBreakerState = 'open' | 'closed' | 'auto';

/** One transition of a breaker, as events and logs see it. */
export interface BreakerStateChange {
  readonly policy: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** Why, in words: `failure rate 60% ≥ 50% over 10 calls`, `probe failed`, `forced by operator`. */
  readonly reason: string;
  /** `Date.now()` of the change. */
  readonly at: number;
}

/**
 * How each call of `execute` ended (one outcome per call, whatever its retries):
 * - `success`;
 * - `failure`: the function threw (after its retries), not a timeout;
 * - `timeout`: the last attempt was abandoned at `timeoutMs`;
 * - `rejectedOpen`: refused at once, breaker open (tripped or forced);
 * - `shortCircuit`: refused at once, breaker half-open with all its probes in flight;
 * - `rejectedBulkhead`: refused at once, bulkhead and its queue full;
 * - `cancelled`: the caller's signal aborted it (not a failure of the dependency).
 */
export type CallOutcome = 'success' | 'failure' | 'timeout' | 'rejectedOpen' | 'shortCircuit' | 'rejectedBulkhead' | 'cancelled';

/** Every {@link CallOutcome}, in a stable order (for metrics labels). */
export const CALL_OUTCOMES: readonly CallOutcome[] = ['success', 'failure', 'timeout', 'rejectedOpen', 'shortCircuit', 'rejectedBulkhead', 'cancelled'];

/** Counters of one policy since start (monotonic, for Prometheus counters) and its current state (gauges). */
export interface PolicyStats {
  readonly name: string;
  readonly state: BreakerState;
  /** Set while an operator forces the breaker; null under automatic control. */
  readonly forced: 'open' | 'closed' | null;
  /** Calls of `execute` by final outcome. */
  readonly calls: Readonly<Record<CallOutcome, number>>;
  /** Attempts after the first (each retry once). */
  readonly retries: number;
  /** Retries refused because the retry budget was spent (the error was returned instead). */
  readonly budgetExhausted: number;
  /** Attempts that took at least `breaker.slowCallMs`. */
  readonly slowCalls: number;
  /** Times the breaker opened (automatically). */
  readonly opened: number;
  /** Calls running in and waiting for the bulkhead now. */
  readonly bulkhead: { readonly active: number; readonly queued: number };
  /** The breaker's sliding window now: attempts, failed and slow ones. */
  readonly window: { readonly calls: number; readonly failures: number; readonly slow: number };
}
