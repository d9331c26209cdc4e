import { WriteBehindStats } from './write-behind.stats';

describe('WriteBehindStats flush lag', () => {
  it('keeps quantiles over the last 1000 lags and a count and sum since start-up', () => {
    const stats = new WriteBehindStats();
    expect(stats.lagSummary()).toEqual({ p50: 0, p99: 0, max: 0 });
    expect(stats.lagTotals()).toEqual({ count: 0, sumMs: 0 });
    for (let i = 1; i <= 1500; i++) stats.lag(i);
    // The window holds the last 1000 (501 … 1500); the totals hold all 1500.
    expect(stats.lagSummary()).toEqual({ p50: 1000, p99: 1490, max: 1500 });
    expect(stats.lagTotals()).toEqual({ count: 1500, sumMs: (1500 * 1501) / 2 });
  });
});
