import { BulkheadFullError, PolicyTimeoutError } from './resilience.errors';
import { DEFAULT_POLICY_OPTIONS, layerPolicyOptions, type PolicyOptions } from './resilience.options';
import { ResiliencePolicy } from './resilience.policy';

/** Breaker off unless asked, so each test sees one mechanism. */
function policyWith(overrides: PolicyOptions, random = () => 0.5): ResiliencePolicy {
  const base: PolicyOptions = { timeoutMs: 0, breaker: { enabled: false }, bulkhead: { maxConcurrent: 0 } };
  return new ResiliencePolicy('dep', layerPolicyOptions(DEFAULT_POLICY_OPTIONS, base, overrides), { random });
}

class Flaky extends Error {
  readonly retryable = true;
}

async function settle<T>(promise: Promise<T>): Promise<T | Error> {
  return promise.catch((error: Error) => error);
}

describe('ResiliencePolicy', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  describe('retry', () => {
    it('makes maxAttempts attempts spaced by full-jitter exponential backoff with a cap (timestamps)', async () => {
      const policy = policyWith({ retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300, budgetMinRetries: 100 } }, () => 0.5);
      const at: number[] = [];
      const result = settle(
        policy.execute(() => {
          at.push(Date.now());
          return Promise.reject(new Flaky('503'));
        }),
      );
      await jest.runAllTimersAsync();
      expect(await result).toBeInstanceOf(Flaky);
      // random 0.5 × min(cap 300, 100 × 2^n): 50, 100, 150 ms.
      expect(at.map((t) => t - at[0])).toEqual([0, 50, 150, 300]);
      expect(policy.stats()).toMatchObject({ retries: 3, calls: { failure: 1 } });
    });

    it('delays are uniformly spread between 0 and the ceiling (full jitter)', async () => {
      const draws = [0, 0.999];
      const policy = policyWith({ retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 1000, budgetMinRetries: 100 } }, () => draws.shift()!);
      const at: number[] = [];
      const result = settle(policy.execute(() => (at.push(Date.now()), Promise.reject(new Flaky('x')))));
      await jest.runAllTimersAsync();
      await result;
      expect(at.map((t) => t - at[0])).toEqual([0, 0, 400]); // 0 × 200, then round(0.999 × 400)
    });

    it('returns the value of the first successful attempt', async () => {
      const policy = policyWith({ retry: { maxAttempts: 3 } });
      let n = 0;
      const result = policy.execute(() => (++n < 2 ? Promise.reject(new Flaky('once')) : Promise.resolve(n)));
      await jest.runAllTimersAsync();
      expect(await result).toBe(2);
      expect(policy.stats()).toMatchObject({ retries: 1, calls: { success: 1 } });
    });

    it('does not retry errors not marked retryable, nor timeouts', async () => {
      const policy = policyWith({ timeoutMs: 10, retry: { maxAttempts: 5 } });
      const plain = jest.fn(() => Promise.reject(new Error('400')));
      expect(await settle(policy.execute(plain))).toEqual(new Error('400'));
      expect(plain).toHaveBeenCalledTimes(1);
      const slow = jest.fn(() => new Promise(() => undefined));
      const timedOut = settle(policy.execute(slow));
      await jest.advanceTimersByTimeAsync(10);
      expect(await timedOut).toBeInstanceOf(PolicyTimeoutError);
      expect(slow).toHaveBeenCalledTimes(1);
      expect(policy.stats().retries).toBe(0);
    });

    it('a custom retryOn decides what is retried', async () => {
      const policy = policyWith({ retry: { maxAttempts: 2, retryOn: (e) => (e as Error).message === 'again' } });
      const fn = jest.fn(() => Promise.reject(new Error('again')));
      const result = settle(policy.execute(fn));
      await jest.runAllTimersAsync();
      await result;
      expect(fn).toHaveBeenCalledTimes(2);
    });

    it('the retry budget stops a retry storm: retries stay within the share of calls', async () => {
      const policy = policyWith({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, budgetRatio: 0.1, budgetMinRetries: 2, budgetWindowMs: 10_000 } });
      const fn = jest.fn(() => Promise.reject(new Flaky('down')));
      for (let i = 0; i < 100; i++) {
        const call = settle(policy.execute(fn));
        await jest.runAllTimersAsync();
        await call;
      }
      const { retries, budgetExhausted } = policy.stats();
      // Without a budget: 100 calls × 2 retries = 200 retries. With it: at most 10 % of 100 calls.
      expect(retries).toBe(10);
      expect(fn).toHaveBeenCalledTimes(110);
      // Every call after the first (which spent the 2 minimum retries) was refused a retry once.
      expect(budgetExhausted).toBe(99);
    });

    it('the budget refills as the window slides', async () => {
      const policy = policyWith({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, budgetRatio: 0, budgetMinRetries: 1, budgetWindowMs: 1000 } });
      const run = async () => {
        const call = settle(policy.execute(() => Promise.reject(new Flaky('down'))));
        await jest.runAllTimersAsync();
        await call;
      };
      await run();
      await run();
      expect(policy.stats()).toMatchObject({ retries: 1, budgetExhausted: 1 });
      await jest.advanceTimersByTimeAsync(1100);
      await run();
      expect(policy.stats().retries).toBe(2);
    });
  });

  describe('timeout', () => {
    it('abandons the attempt at timeoutMs and aborts its signal, even when the function ignores it', async () => {
      const policy = policyWith({ timeoutMs: 100 });
      let seen: AbortSignal | undefined;
      const result = settle(
        policy.execute((signal) => {
          seen = signal;
          return new Promise(() => undefined);
        }),
      );
      await jest.advanceTimersByTimeAsync(99);
      expect(seen!.aborted).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      const error = await result;
      expect(error).toBeInstanceOf(PolicyTimeoutError);
      expect((error as PolicyTimeoutError).code).toBe('E_TIMEOUT');
      expect(seen!.aborted).toBe(true);
      expect(policy.stats().calls.timeout).toBe(1);
    });

    it('cancels a real fetch-like operation through the signal', async () => {
      const policy = policyWith({ timeoutMs: 50 });
      const aborted = jest.fn();
      const result = settle(
        policy.execute(
          (signal) =>
            new Promise((_, reject) =>
              signal.addEventListener('abort', () => {
                aborted();
                reject(new Error('AbortError'));
              }),
            ),
        ),
      );
      await jest.advanceTimersByTimeAsync(50);
      expect(await result).toBeInstanceOf(PolicyTimeoutError);
      expect(aborted).toHaveBeenCalledTimes(1);
    });

    it('a call may set its own timeout', async () => {
      const policy = policyWith({ timeoutMs: 1000 });
      const result = settle(policy.execute(() => new Promise(() => undefined), { timeoutMs: 20 }));
      await jest.advanceTimersByTimeAsync(20);
      expect(await result).toBeInstanceOf(PolicyTimeoutError);
    });

    it("the caller's abort cancels the call without counting against the breaker", async () => {
      const policy = policyWith({ timeoutMs: 1000, breaker: { enabled: true, minimumCalls: 1 } });
      const controller = new AbortController();
      const result = settle(
        policy.execute((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))), {
          signal: controller.signal,
        }),
      );
      controller.abort();
      await jest.advanceTimersByTimeAsync(0);
      await result;
      expect(policy.stats()).toMatchObject({ state: 'closed', calls: { cancelled: 1 }, window: { calls: 0 } });
    });
  });

  describe('bulkhead', () => {
    it('runs maxConcurrent calls, queues maxQueue, rejects the excess at once, and runs the queued one when a slot frees', async () => {
      const policy = policyWith({ bulkhead: { maxConcurrent: 2, maxQueue: 1 } });
      const started: number[] = [];
      const work = (id: number, ms: number) => () => {
        started.push(id);
        return new Promise<number>((resolve) => setTimeout(() => resolve(id), ms));
      };
      const a = policy.execute(work(1, 100));
      const b = policy.execute(work(2, 200));
      const c = policy.execute(work(3, 10));
      const d = await settle(policy.execute(work(4, 10)));
      expect(d).toBeInstanceOf(BulkheadFullError);
      expect((d as BulkheadFullError).code).toBe('E_BULKHEAD_FULL');
      expect((d as BulkheadFullError).status).toBe(503);
      await jest.advanceTimersByTimeAsync(0);
      expect(started).toEqual([1, 2]);
      expect(policy.stats().bulkhead).toEqual({ active: 2, queued: 1 });
      await jest.advanceTimersByTimeAsync(100);
      expect(await a).toBe(1);
      await jest.advanceTimersByTimeAsync(10);
      expect(await c).toBe(3);
      expect(started).toEqual([1, 2, 3]);
      await jest.advanceTimersByTimeAsync(100);
      expect(await b).toBe(2);
      expect(policy.stats()).toMatchObject({ calls: { success: 3, rejectedBulkhead: 1 }, bulkhead: { active: 0, queued: 0 } });
    });

    it('an open breaker rejects before the bulkhead queue', async () => {
      const policy = policyWith({ bulkhead: { maxConcurrent: 1, maxQueue: 0 }, breaker: { enabled: true } });
      policy.forceState('open');
      const error = await settle(policy.execute(() => Promise.resolve(1)));
      expect(error).toMatchObject({ code: 'E_BREAKER_OPEN' });
      expect(policy.stats().calls.rejectedBulkhead).toBe(0);
    });
  });

  it('options are layered and checked', () => {
    const options = layerPolicyOptions(DEFAULT_POLICY_OPTIONS, { breaker: { openMs: 10 } }, { timeoutMs: 5, breaker: { minimumCalls: 2 } });
    expect(options.timeoutMs).toBe(5);
    expect(options.breaker).toMatchObject({ openMs: 10, minimumCalls: 2, halfOpenProbes: 3 });
    expect(() => layerPolicyOptions(DEFAULT_POLICY_OPTIONS, { breaker: { failureRateThreshold: 2 }, retry: { maxAttempts: 0 } })).toThrow(
      /breaker.failureRateThreshold must be within \[0, 1\].*retry.maxAttempts must be a number ≥ 1/,
    );
  });
});
