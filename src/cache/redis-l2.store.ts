import { createCache, type Cache } from 'cache-manager';
import { TaskCancelledError, timeout, TimeoutStrategy, type TimeoutPolicy } from 'cockatiel';
import type { RedisConnection } from '../redis';
import { Keyv } from 'keyv';
import { CircuitBreaker, type BreakerState } from '../resilience';
import { decodeEntry, encodeEntry } from './cache-entry.codec';
import { L2UnavailableError } from './cache.errors';
import type { CacheEntry, L2Fill, L2Store } from './cache.types';
import { L2Generations } from './l2-generations';
import { KeyvIoredisStore } from './keyv-ioredis.store';

/** Options of {@link RedisL2Store}; defaults match the `CACHE_L2_*` variables. */
export interface RedisL2StoreOptions {
  /** The app's key prefix (`REDIS_KEY_PREFIX`); L2 keys are `<keyPrefix>cache:<key>`. */
  readonly keyPrefix: string;
  /** A call taking longer fails with reason `timeout` (the command itself is not cancelled). @default 50 */
  readonly timeoutMs?: number;
  /** Consecutive failures (errors or timeouts) that open the breaker. @default 5 */
  readonly breakerThreshold?: number;
  /** How long the breaker stays open before one probe call may close it. @default 2000 */
  readonly breakerHalfOpenAfterMs?: number;
  /** How long a key's generation outlives its last write; longer than any load may take. @default 60000 */
  readonly generationTtlMs?: number;
}

/** State of the L2 breaker. */
export type L2BreakerState = BreakerState;

/** Failures since start, by kind (each failed call counts once). */
export interface L2Counters {
  /** Redis answered with an error, or the connection was down. */
  readonly errors: number;
  /** No answer within `timeoutMs`. */
  readonly timeouts: number;
  /** Calls refused without touching Redis: breaker open, or half-open with its probe in flight. */
  readonly rejectedWhileOpen: number;
}

/** The namespace of the cache under the app prefix: `clear()` touches only keys below it. */
export const L2_NAMESPACE = 'cache:';

/** Where the keys' generations live under the app prefix (outside {@link L2_NAMESPACE}). */
export const L2_GENERATIONS = 'cache-gen:';

/**
 * The L2 tier on Redis, through cache-manager 7 with one Keyv store
 * ({@link KeyvIoredisStore} on the shared ioredis client). Values are exactly
 * `encodeEntry(entry)`: Keyv's serialize/deserialize pass the string through,
 * so no JSON wrapper, and Redis (PX) is the only clock for expiry.
 *
 * cache-manager and errors: its `get`/`mget` catch store errors and answer a
 * miss (they only emit an event, which cannot be tied to one call under
 * concurrency), and its `mdel` issues one `delete` per key. So reads go to
 * the same Keyv instance directly (built with `throwOnErrors: true`): one
 * GET/MGET, errors seen by the breaker. Writes, deletes and fills move the
 * keys' generations too ({@link L2Generations}: one pipeline each, which
 * neither Keyv nor cache-manager can express); `clear` goes through
 * cache-manager, which rethrows store errors.
 *
 * Every call runs under a timeout (cockatiel's) inside the resilience kit's
 * {@link CircuitBreaker}, tripped by `breakerThreshold` failures in a row
 * only, with one half-open probe. While the breaker is open, and while its
 * probe is in flight, calls fail at once. Every failure is an
 * {@link L2UnavailableError}; the caller treats it as a miss. Listen to
 * {@link onStateChange} to learn of outages and of recovery (`closed` after
 * `open`): entries may have changed meanwhile.
 */
export class RedisL2Store implements L2Store {
  private readonly cache: Cache;
  private readonly keyv: Keyv<string>;
  private readonly breaker: CircuitBreaker;
  private readonly timeout: TimeoutPolicy;
  private readonly stateListeners = new Set<(state: L2BreakerState) => void>();
  private readonly counts = { errors: 0, timeouts: 0, rejectedWhileOpen: 0 };
  private readonly generationsOf: L2Generations;

  constructor(client: RedisConnection, options: RedisL2StoreOptions) {
    this.generationsOf = new L2Generations(client, options.keyPrefix + L2_NAMESPACE, options.keyPrefix + L2_GENERATIONS, options.generationTtlMs ?? 60_000);
    const store = new KeyvIoredisStore(client, { keyPrefix: options.keyPrefix + L2_NAMESPACE });
    this.keyv = new Keyv<string>(store, {
      useKeyPrefix: false,
      throwOnErrors: true,
      // Errors are thrown and counted here; Keyv's error events would be a second channel nobody reads.
      emitErrors: false,
      serialize: passThroughSerialize,
      deserialize: passThroughDeserialize,
    });
    this.cache = createCache({ stores: [this.keyv] });
    this.breaker = new CircuitBreaker(
      'cache-l2',
      {
        enabled: true,
        consecutiveFailures: options.breakerThreshold ?? 5,
        // Runs of failures only: the window's rates never reach their volume, and the timeout decides what is slow.
        minimumCalls: Number.MAX_SAFE_INTEGER,
        windowMs: 10_000,
        failureRateThreshold: 1,
        slowCallMs: Number.MAX_SAFE_INTEGER,
        slowCallRateThreshold: 1,
        openMs: options.breakerHalfOpenAfterMs ?? 2_000,
        halfOpenProbes: 1,
      },
      ({ to }) => this.stateListeners.forEach((listener) => listener(to)),
    );
    // A timeout counts as a failure of the breaker. No abort on return: the calls ignore the signal (a Redis
    // command cannot be cancelled), and aborting builds a DOMException on every call.
    this.timeout = timeout(options.timeoutMs ?? 50, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return decodeEntry(await this.run('get', () => this.keyv.get(key)));
  }

  /** One MGET; unreadable values (another format) are misses. */
  async getMany(keys: readonly string[]): Promise<Array<CacheEntry | undefined>> {
    if (keys.length === 0) return [];
    const texts = await this.run('getMany', () => this.keyv.getMany([...keys]));
    return texts.map((text) => decodeEntry(text));
  }

  async set(key: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    await this.setMany([{ key, entry, ttlMs }]);
  }

  /** One pipeline: each key's generation, then its value. */
  async setMany(entries: ReadonlyArray<{ key: string; entry: CacheEntry; ttlMs: number }>): Promise<void> {
    if (entries.length === 0) return;
    const writes = entries.map(({ key, entry, ttlMs }) => ({ key, value: encodeEntry(entry), ttlMs }));
    await this.run('setMany', () => this.generationsOf.write(writes));
  }

  /** One pipeline: the generations, then one UNLINK. */
  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.run('delete', () => this.generationsOf.delete(keys));
  }

  /** One MGET of the generations. */
  async generations(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    return this.run('generations', () => this.generationsOf.read(keys));
  }

  /** One pipeline of a check-and-set script per entry. */
  async fill(entries: readonly L2Fill[]): Promise<number> {
    if (entries.length === 0) return 0;
    const fills = entries.map(({ key, entry, ttlMs, generation }) => ({ key, value: encodeEntry(entry), ttlMs, generation }));
    return this.run('fill', () => this.generationsOf.fill(fills));
  }

  /** SCAN + UNLINK of `<keyPrefix>cache:*` only. */
  async clear(): Promise<void> {
    await this.run('clear', () => this.cache.clear());
  }

  /** The breaker's state now: `open` turns `half-open` once `breakerHalfOpenAfterMs` have passed. */
  state(): L2BreakerState {
    return this.breaker.state;
  }

  /** Calls `listener` on every breaker transition; returns a function that unsubscribes. */
  onStateChange(listener: (state: L2BreakerState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** A snapshot of the failure counters (for metrics). */
  counters(): L2Counters {
    return { ...this.counts };
  }

  private async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const admission = this.breaker.admit();
    if (!admission.admitted) {
      this.counts.rejectedWhileOpen++;
      throw new L2UnavailableError('open', operation, new Error(`L2 breaker refused the call (${admission.reason})`));
    }
    try {
      // A signal per call: cockatiel otherwise hangs every timeout's listener on one shared signal.
      const result = await this.timeout.execute(call, new AbortController().signal);
      // Duration 0: nothing is slow to this breaker (the timeout is), so no clock read.
      this.breaker.record(admission.permit, false, 0);
      return result;
    } catch (error) {
      this.breaker.record(admission.permit, true, 0);
      // instanceof, not cockatiel's is*Error helpers: in 3.2.1 isTaskCancelledError tests for `isBulkheadRejectedError`.
      if (error instanceof TaskCancelledError) {
        this.counts.timeouts++;
        throw new L2UnavailableError('timeout', operation, error);
      }
      this.counts.errors++;
      throw new L2UnavailableError('error', operation, error);
    }
  }
}

/** Keyv hands over `{ value, expires }`: store the encoded entry alone. */
function passThroughSerialize<Value>(data: { value?: Value }): string {
  if (typeof data.value !== 'string') throw new TypeError('RedisL2Store stores encoded entries (strings) only');
  return data.value;
}

/** The string read from Redis is the value; Redis expires keys itself, so no `expires`. */
function passThroughDeserialize<Value>(text: string): { value: Value } {
  return { value: text as Value };
}
