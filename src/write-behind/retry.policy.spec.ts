import { RetryPolicy } from './retry.policy';

describe('RetryPolicy', () => {
  const make = (random: () => number, now = () => 0, minRetriesPerWindow = 2) =>
    new RetryPolicy({ baseMs: 100, capMs: 1600, budgetRatio: 0.2, minRetriesPerWindow, windowMs: 10_000, now, random });

  it('delays grow per attempt within [ceiling/2, ceiling], capped', () => {
    // A budget that never runs out: each delayMs takes a retry from it.
    const low = make(
      () => 0,
      () => 0,
      1_000,
    );
    const high = make(
      () => 0.999999,
      () => 0,
      1_000,
    );
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

  it('defers retries to the cap once they exceed their share of recent first attempts, and forgets it a window later', () => {
    let now = 0;
    const policy = make(
      () => 0,
      () => now,
    );
    for (let i = 0; i < 20; i++) policy.recordAttempt(false);
    // Retries are not first attempts: they do not grow the budget.
    for (let i = 0; i < 5; i++) policy.recordAttempt(true);
    // 20 first attempts: the budget is max(2, 0.2 × 20) = 4 retries per window.
    expect([1, 1, 1, 1].map((n) => policy.delayMs(n))).toEqual([50, 50, 50, 50]);
    expect(policy.deferred).toBe(0);
    expect(policy.delayMs(1)).toBe(800);
    expect(policy.deferred).toBe(1);
    now = 10_001;
    expect(policy.delayMs(1)).toBe(50);
    expect(policy.deferred).toBe(1);
  });

  it('allows minRetriesPerWindow retries to a quiet queue', () => {
    const policy = make(() => 0);
    policy.recordAttempt(false);
    expect([1, 2, 3].map((n) => policy.delayMs(n))).toEqual([50, 100, 800]);
    expect(policy.deferred).toBe(1);
  });
});
