import { RetryBudget } from './retry-budget';
import { SlidingWindow } from './sliding-window';

describe('SlidingWindow', () => {
  it('sums the last windowMs, letting counts fall out one bucket (windowMs / 10) at a time', () => {
    let now = 1_000_000;
    const window = new SlidingWindow(['calls', 'failures'] as const, 1000, () => now);
    window.add('calls', 3);
    window.add('failures');
    now += 500;
    window.add('calls');
    expect([window.sum('calls'), window.sum('failures')]).toEqual([4, 1]);
    now += 500; // the first bucket is now 1000 ms old: out
    expect([window.sum('calls'), window.sum('failures')]).toEqual([1, 0]);
    now += 500;
    expect(window.sum('calls')).toBe(0);
    window.add('calls');
    window.reset();
    expect(window.sum('calls')).toBe(0);
  });

  it('reuses a bucket slot for a new period without mixing counts', () => {
    let now = 0;
    const window = new SlidingWindow(['n'] as const, 100, () => now);
    window.add('n', 5);
    now = 1000; // same slot index, ten windows later
    window.add('n');
    expect(window.sum('n')).toBe(1);
  });
});

describe('RetryBudget', () => {
  it('allows max(minRetries, ratio × calls) retries per window', () => {
    let now = 0;
    const budget = new RetryBudget(0.2, 1000, 1, () => now);
    budget.recordCall();
    expect(budget.tryRetry()).toBe(true); // the minimum
    expect(budget.tryRetry()).toBe(false);
    for (let i = 0; i < 9; i++) budget.recordCall(); // 10 calls: 20 % = 2
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    now += 1000;
    expect(budget.tryRetry()).toBe(true); // a new window: the minimum again
  });
});
