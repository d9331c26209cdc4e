import { jittered, layerOptions, type ResolvedCacheOptions } from './cache.options';

describe('cache options', () => {
  const module: ResolvedCacheOptions = { ttlMs: 60_000, l1TtlMs: 5_000, staleMs: 30_000, maxStaleMs: 300_000, negativeTtlMs: 5_000, tags: [] };

  it('layers module → feature → call, field by field, skipping undefined', () => {
    const resolved = layerOptions(module, { ttlMs: 10_000, tags: ['products'] }, { l1TtlMs: 1_000, ttlMs: undefined });
    expect(resolved).toEqual({ ...module, ttlMs: 10_000, l1TtlMs: 1_000, tags: ['products'] });
  });

  it('jitters within ±share and never below 1 ms', () => {
    expect(jittered(1000, 0.1, () => 0)).toBe(900);
    expect(jittered(1000, 0.1, () => 1)).toBe(1100);
    expect(jittered(1000, 0.1, () => 0.5)).toBe(1000);
    expect(jittered(1000, 0, () => 0)).toBe(1000);
    expect(jittered(1, 0.5, () => 0)).toBe(1);
    const samples = Array.from({ length: 1000 }, () => jittered(10_000, 0.1));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(9_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(11_000);
    expect(new Set(samples).size).toBeGreaterThan(100);
  });
});
