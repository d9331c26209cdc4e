import { backoffMs } from './backoff';

describe('backoffMs', () => {
  it('grows with the attempt, stays under the cap, never below 50 ms', () => {
    const samples = (attempt: number, cap: number) => Array.from({ length: 2000 }, () => backoffMs(attempt, cap));
    expect(Math.max(...samples(0, 10_000))).toBeLessThanOrEqual(100);
    expect(Math.max(...samples(5, 10_000))).toBeGreaterThan(1000);
    expect(Math.max(...samples(30, 2_000))).toBeLessThanOrEqual(2_000);
    expect(Math.min(...samples(30, 2_000))).toBeGreaterThanOrEqual(50);
  });
});
