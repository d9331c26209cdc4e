import { LogRateLimiter, OTHER_TEMPLATES } from './log-rate-limiter';

describe('LogRateLimiter', () => {
  let nowMs: number;
  const limiter = (options: Partial<ConstructorParameters<typeof LogRateLimiter>[0]> = {}) =>
    new LogRateLimiter({ limits: { error: { ratePerS: 10, burst: 20 }, info: { ratePerS: 100, burst: 100 } }, now: () => nowMs, ...options });

  beforeEach(() => {
    nowMs = 1_000;
  });

  it('a storm of 100,000 identical errors in 10 s admits at most burst + rate × 10 s and counts every other line exactly', () => {
    const l = limiter();
    let admitted = 0;
    let summarised = 0;
    let summaries = 0;
    for (let i = 0; i < 100_000; i++) {
      nowMs = 1_000 + i * 0.1; // 100,000 lines over 10 s
      if (l.admit('error', 'Catalog', 'database unreachable')) admitted++;
      if (i % 10_000 === 9_999) {
        for (const s of l.takeSuppressed()) {
          summaries++;
          summarised += s.suppressed;
          expect(s).toMatchObject({ level: 'error', context: 'Catalog', template: 'database unreachable' });
        }
      }
    }
    expect(admitted).toBeLessThanOrEqual(20 + 10 * 10);
    expect(admitted).toBeGreaterThanOrEqual(20 + 10 * 10 - 1);
    expect(summaries).toBe(10); // one per 1 s window
    expect(summarised).toBe(100_000 - admitted);
    expect(l.stats().suppressedTotal).toBe(100_000 - admitted);
    expect(l.takeSuppressed()).toEqual([]);
  });

  it('keeps one bucket per level, context and template', () => {
    const l = limiter({ limits: { error: { ratePerS: 1, burst: 1 }, warn: { ratePerS: 1, burst: 1 } } });
    expect(l.admit('error', 'A', 'x')).toBe(true);
    expect(l.admit('error', 'A', 'x')).toBe(false);
    expect(l.admit('error', 'B', 'x')).toBe(true);
    expect(l.admit('error', 'A', 'y')).toBe(true);
    expect(l.admit('warn', 'A', 'x')).toBe(true);
    nowMs += 1000;
    expect(l.admit('error', 'A', 'x')).toBe(true);
  });

  it('never limits a level without a limit, nor the allow-list (built-in contexts, configured contexts and prefixes)', () => {
    const l = limiter({ limits: { error: { ratePerS: 1, burst: 1 } }, allow: ['Ops', 'switch '] });
    for (let i = 0; i < 1000; i++) {
      expect(l.admit('warn', 'A', 'no limit at warn here')).toBe(true);
      expect(l.admit('error', 'Shutdown', 'closing redis failed')).toBe(true);
      expect(l.admit('error', 'Bootstrap', 'listening')).toBe(true);
      expect(l.admit('error', 'Ops', 'anything')).toBe(true);
      expect(l.admit('error', 'Degradation', `switch recommendations off ${i}`)).toBe(true);
    }
    expect(l.stats().suppressedTotal).toBe(0);
  });

  it('bounds the templates it tracks: further ones share one bucket per level', () => {
    const l = limiter({ limits: { error: { ratePerS: 1, burst: 5 } }, maxTemplates: 100 });
    let admitted = 0;
    for (let i = 0; i < 10_000; i++) if (l.admit('error', '', `failed for id ${i}`)) admitted++;
    expect(l.stats().templates).toBe(100);
    expect(admitted).toBe(100 + 5); // the first line of each tracked template, then the shared bucket's burst
    const lost = l.takeSuppressed();
    expect(lost).toEqual([{ level: 'error', context: '', template: OTHER_TEMPLATES, suppressed: 10_000 - 105 }]);
  });
});
