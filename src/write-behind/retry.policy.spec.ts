import { RetryPolicy } from './retry.policy';

describe('RetryPolicy', () => {
  const make = (random: () => number, now = () => 0) =>
    new RetryPolicy({ baseMs: 100, capMs: 1600, budgetRatio: 0.2, minRetriesPerWindow: 2, windowMs: 10_000, now, random });

  it('delays grow per attempt within [ceiling/2, ceiling], capped', () => {
    const low = make(() => 0);
    const high = make(() => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map((n) => low.delayMs(n))).toEqual([50, 100, 200, 400, 800, 800]);
    expect([1, 2, 3, 4, 5, 6].map((n) => high.delayMs(n))).toEqual([100, 200, 400, 800, 1600, 1600]);
    // The lowest delay of retry n+1 is the highest of retry n: with any jitter, delays never shrink.
    for (let n = 1; n < 5; n++) expect(low.delayMs(n + 1)).toBeGreaterThanOrEqual(high.delayMs(n));
  });

  it('is jittered: random draws give different delays', () => {
    const policy = new RetryPolicy({ baseMs: 1000, capMs: 60_000, budgetRatio: 1 });
    const delays = new Set(Array.from({ length: 20 }, () => policy.delayMs(3)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('defers retries to the cap once they exceed their share of recent attempts, and forgets it a window later', () => {
    let now = 0;
    const policy = make(() => 0, () => now);
    for (let i = 0; i < 10; i++) policy.recordAttempt(false);
    // 10 attempts: budget = 0.2 × attempts + 2.
    for (let i = 0; i < 4; i++) policy.recordAttempt(true);
    expect(policy.withinBudget()).toBe(true);
    expect(policy.delayMs(1)).toBe(50);
    policy.recordAttempt(true);
    policy.recordAttempt(true);
    expect(policy.withinBudget()).toBe(false);
    expect(policy.delayMs(1)).toBe(800);
    expect(policy.deferred).toBe(1);
    now = 10_001;
    expect(policy.withinBudget()).toBe(true);
  });
});
