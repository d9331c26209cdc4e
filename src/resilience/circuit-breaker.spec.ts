import { BreakerOpenError } from './resilience.errors';
import { DEFAULT_POLICY_OPTIONS, layerPolicyOptions, type PolicyOptions } from './resilience.options';
import { ResiliencePolicy } from './resilience.policy';
import type { BreakerStateChange } from './resilience.types';

/** A policy whose breaker trips after 4 calls at 50 % failures or 50 % slow (≥ 100 ms), open 1 s, 2 probes; no retries, no bulkhead. */
function policyWith(overrides: PolicyOptions = {}) {
  const changes: BreakerStateChange[] = [];
  const options = layerPolicyOptions(
    DEFAULT_POLICY_OPTIONS,
    {
      timeoutMs: 0,
      breaker: { minimumCalls: 4, failureRateThreshold: 0.5, slowCallMs: 100, slowCallRateThreshold: 0.5, openMs: 1000, halfOpenProbes: 2, windowMs: 10_000 },
      bulkhead: { maxConcurrent: 0 },
      retry: { maxAttempts: 1 },
    },
    overrides,
  );
  const policy = new ResiliencePolicy('dep', options, { onStateChange: (c) => changes.push(c) });
  return { policy, changes };
}

const ok = () => Promise.resolve('ok');
const boom = () => Promise.reject(new Error('boom'));
const after = (ms: number) => () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), ms));

async function settle<T>(promise: Promise<T>): Promise<T | Error> {
  return promise.catch((error: Error) => error);
}

/** Runs `fn` under the policy while advancing fake time by `ms`. */
async function timed(policy: ResiliencePolicy, fn: () => Promise<string>, ms: number): Promise<string | Error> {
  const result = settle(policy.execute(fn));
  await jest.advanceTimersByTimeAsync(ms);
  return result;
}

describe('circuit breaker', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('stays closed below the minimum volume, opens once the failure rate is reached, then rejects at once', async () => {
    const { policy, changes } = policyWith();
    await settle(policy.execute(boom));
    await settle(policy.execute(boom));
    await settle(policy.execute(boom));
    expect(policy.state).toBe('closed'); // 3 failures, but 4 calls are needed
    await settle(policy.execute(ok));
    expect(policy.state).toBe('open'); // 3/4 failed ≥ 50 %
    expect(changes).toEqual([expect.objectContaining({ policy: 'dep', from: 'closed', to: 'open', reason: 'failure rate 75% ≥ 50% over 4 calls' })]);

    const fn = jest.fn(ok);
    const started = Date.now();
    const error = await settle(policy.execute(fn));
    expect(error).toBeInstanceOf(BreakerOpenError);
    expect((error as BreakerOpenError).code).toBe('E_BREAKER_OPEN');
    expect((error as BreakerOpenError).headers).toEqual({ 'retry-after': '1' });
    expect(fn).not.toHaveBeenCalled();
    expect(Date.now()).toBe(started);
    expect(policy.stats().calls).toMatchObject({ success: 1, failure: 3, rejectedOpen: 1 });
  });

  it('does not open while the failure rate stays under the threshold (1 in 4 failing, threshold 50 %)', async () => {
    const { policy } = policyWith();
    for (let i = 0; i < 20; i++) await settle(policy.execute(i % 4 === 0 ? boom : ok));
    expect(policy.state).toBe('closed');
  });

  it('with consecutiveFailures, opens on a run of failures whatever the window holds; a success restarts the count', async () => {
    const { policy, changes } = policyWith({ breaker: { consecutiveFailures: 3, minimumCalls: 1_000 } });
    for (const fn of [boom, boom, ok, boom, boom]) await settle(policy.execute(fn));
    expect(policy.state).toBe('closed');
    await settle(policy.execute(boom));
    expect(policy.state).toBe('open');
    expect(changes).toEqual([expect.objectContaining({ from: 'closed', to: 'open', reason: '3 failures in a row' })]);
  });

  it('opens on the slow-call rate, even when the slow calls succeed', async () => {
    const { policy, changes } = policyWith();
    await timed(policy, ok, 0);
    await timed(policy, ok, 0);
    await timed(policy, after(150), 150);
    expect(policy.state).toBe('closed');
    expect(await timed(policy, after(150), 150)).toBe('late');
    expect(policy.state).toBe('open');
    expect(changes[0].reason).toBe('slow-call rate 50% ≥ 50% over 4 calls');
    expect(policy.stats().slowCalls).toBe(2);
  });

  it('half-opens after its delay, lets the configured number of probes through, and closes when they succeed', async () => {
    const { policy, changes } = policyWith();
    for (let i = 0; i < 4; i++) await settle(policy.execute(boom));
    expect(policy.state).toBe('open');
    await jest.advanceTimersByTimeAsync(999);
    expect(policy.state).toBe('open');
    await jest.advanceTimersByTimeAsync(1);
    expect(policy.state).toBe('half-open');

    // Two probes in flight: a third call is short-circuited at once.
    const probe1 = settle(policy.execute(after(10)));
    const probe2 = settle(policy.execute(after(10)));
    const third = await settle(policy.execute(ok));
    expect(third).toBeInstanceOf(BreakerOpenError);
    expect((third as BreakerOpenError).reason).toBe('half-open-full');
    await jest.advanceTimersByTimeAsync(10);
    expect(await probe1).toBe('late');
    expect(await probe2).toBe('late');
    expect(policy.state).toBe('closed');
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);
    expect(policy.stats().calls.shortCircuit).toBe(1);
    // Closed with an empty window: one failure does not reopen it.
    await settle(policy.execute(boom));
    expect(policy.state).toBe('closed');
  });

  it('reopens on a failed probe, for another full delay', async () => {
    const { policy, changes } = policyWith();
    for (let i = 0; i < 4; i++) await settle(policy.execute(boom));
    await jest.advanceTimersByTimeAsync(1000);
    expect(await settle(policy.execute(ok))).toBe('ok'); // first probe succeeds
    await settle(policy.execute(boom)); // second fails
    expect(policy.state).toBe('open');
    expect(changes.at(-1)).toEqual(expect.objectContaining({ from: 'half-open', to: 'open', reason: 'probe failed' }));
    await jest.advanceTimersByTimeAsync(999);
    expect(policy.state).toBe('open');
    await jest.advanceTimersByTimeAsync(1);
    expect(policy.state).toBe('half-open');
    expect(policy.stats().opened).toBe(2);
  });

  it('reopens on a slow probe', async () => {
    const { policy } = policyWith();
    for (let i = 0; i < 4; i++) await settle(policy.execute(boom));
    await jest.advanceTimersByTimeAsync(1000);
    await timed(policy, after(120), 120);
    expect(policy.state).toBe('open');
  });

  it('forgets failures that left the sliding window', async () => {
    const { policy } = policyWith();
    for (let i = 0; i < 3; i++) await settle(policy.execute(boom));
    await jest.advanceTimersByTimeAsync(11_000);
    await settle(policy.execute(boom));
    expect(policy.state).toBe('closed');
    expect(policy.stats().window).toEqual({ calls: 1, failures: 1, slow: 0 });
  });

  it('obeys an operator: forced open rejects everything, forced closed admits everything, auto hands back', async () => {
    const { policy, changes } = policyWith();
    policy.forceState('open');
    expect(await settle(policy.execute(ok))).toBeInstanceOf(BreakerOpenError);
    expect(policy.stats()).toMatchObject({ state: 'open', forced: 'open' });
    await jest.advanceTimersByTimeAsync(5000);
    expect(policy.state).toBe('open'); // no half-open while forced

    policy.forceState('closed');
    for (let i = 0; i < 10; i++) await settle(policy.execute(boom));
    expect(policy.stats()).toMatchObject({ state: 'closed', forced: 'closed' });

    policy.forceState('auto');
    expect(policy.stats()).toMatchObject({ state: 'closed', forced: null });
    for (let i = 0; i < 4; i++) await settle(policy.execute(boom));
    expect(policy.state).toBe('open');
    expect(changes.map((c) => c.reason)).toContain('forced by operator');
  });

  it('a disabled breaker never opens', async () => {
    const { policy } = policyWith({ breaker: { enabled: false } });
    for (let i = 0; i < 20; i++) await settle(policy.execute(boom));
    expect(policy.state).toBe('closed');
  });
});
