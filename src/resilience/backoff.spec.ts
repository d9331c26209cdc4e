import { backoffMs, equalJitterDelayMs, fullJitterDelayMs } from './backoff';

describe('backoffMs', () => {
  it('grows with the attempt, stays under the cap, never below 50 ms', () => {
    const samples = (attempt: number, cap: number) => Array.from({ length: 2000 }, () => backoffMs(attempt, cap));
    expect(Math.max(...samples(0, 10_000))).toBeLessThanOrEqual(100);
    expect(Math.max(...samples(5, 10_000))).toBeGreaterThan(1000);
    expect(Math.max(...samples(30, 2_000))).toBeLessThanOrEqual(2_000);
    expect(Math.min(...samples(30, 2_000))).toBeGreaterThanOrEqual(50);
  });
});

describe('fullJitterDelayMs', () => {
  it('is random × min(cap, base × 2^exponent)', () => {
    expect([0, 1, 2, 3, 4].map((e) => fullJitterDelayMs(e, 100, 500, () => 1))).toEqual([100, 200, 400, 500, 500]);
    expect(fullJitterDelayMs(3, 100, 10_000, () => 0.5)).toBe(400);
    expect(fullJitterDelayMs(3, 100, 10_000, () => 0)).toBe(0);
  });
});

describe('equalJitterDelayMs', () => {
  it('lies in [c/2, c] with c = min(cap, base × 2^exponent): the lowest of one step is the highest of the step before', () => {
    expect([0, 1, 2, 3, 4].map((e) => equalJitterDelayMs(e, 100, 500, () => 0))).toEqual([50, 100, 200, 250, 250]);
    expect([0, 1, 2, 3, 4].map((e) => equalJitterDelayMs(e, 100, 500, () => 0.999999))).toEqual([100, 200, 400, 500, 500]);
    for (let e = 0; e < 3; e++) expect(equalJitterDelayMs(e + 1, 100, 10_000, () => 0)).toBe(equalJitterDelayMs(e, 100, 10_000, () => 0.999999));
  });
});
