import { DEFAULT_LIMIT_OPTIONS, GradientLimit, type GradientLimitOptions } from './gradient-limit';

describe('GradientLimit', () => {
  let clock: number;
  const options: GradientLimitOptions = { ...DEFAULT_LIMIT_OPTIONS, initial: 50, min: 4, max: 500, windowMs: 100, minSamples: 10 };
  const build = (overrides: Partial<GradientLimitOptions> = {}) =>
    new GradientLimit(
      { ...options, ...overrides },
      () => clock,
      () => 0.5,
    );

  /** `windows` windows of `perWindow` requests each taking `latencyMs`, with `inFlight` in flight. */
  function run(limit: GradientLimit, windows: number, latencyMs: number, inFlight: (limit: number) => number = (l) => l): void {
    for (let w = 0; w < windows; w++) {
      for (let i = 0; i < 20; i++) {
        clock += 100 / 20;
        limit.record(latencyMs, inFlight(limit.limit));
      }
    }
  }

  beforeEach(() => (clock = 0));

  it('learns the no-load latency from the lowest window and grows while latency stays within tolerance', () => {
    const limit = build();
    run(limit, 20, 5);
    expect(limit.noLoadLatencyMs).toBe(5);
    expect(limit.limit).toBeGreaterThan(50);
  });

  it('under a queue of its own (latency grows with what is in flight), settles where latency is within tolerance', () => {
    const limit = build();
    const latency = (inFlight: number) => 5 * Math.max(1, inFlight / 10); // 10 at a time at full speed
    for (let w = 0; w < 300; w++) {
      for (let i = 0; i < 20; i++) {
        clock += 5;
        limit.record(latency(limit.limit), limit.limit); // offered more than it takes: always at the limit
      }
    }
    expect(limit.noLoadLatencyMs).toBe(5);
    expect(limit.limit).toBeGreaterThanOrEqual(10); // does not starve the process …
    expect(latency(limit.limit)).toBeLessThanOrEqual(3 * 5); // … nor let the queue grow
  });

  it('falls when latency rises past tolerance × the no-load latency, and recovers when it drops', () => {
    const limit = build();
    run(limit, 10, 5);
    const before = limit.limit;
    run(limit, 20, 40); // 8 × the no-load latency: queueing
    const loaded = limit.limit;
    expect(loaded).toBeLessThan(before / 2);
    run(limit, 40, 5);
    expect(limit.limit).toBeGreaterThan(loaded * 2);
  });

  it('never goes under its floor nor over its ceiling', () => {
    const floor = build({ min: 8 });
    run(floor, 10, 5);
    run(floor, 200, 500); // 20 s: no probe yet
    expect(floor.limit).toBe(8);
    const ceiling = build({ max: 60 });
    run(ceiling, 200, 5);
    expect(ceiling.limit).toBe(60);
  });

  it('does not grow while the process uses less than half of it (nothing says a higher limit would be served)', () => {
    const limit = build();
    run(limit, 50, 5, (l) => Math.min(l, 10)); // the probe, then 10 in flight of 50
    expect(limit.limit).toBe(50);
  });

  it('starts by measuring the no-load latency at its floor, from requests that started with at most the floor in flight', () => {
    const limit = build();
    expect(limit.probing).toBe(true);
    expect(limit.limit).toBe(4);
    for (let i = 0; i < 30; i++) limit.record(100, 9); // began before the probe: a queue, not the work
    expect(limit.noLoadLatencyMs).toBeUndefined();
    for (let i = 0; i < 20; i++) limit.record(i % 2 === 0 ? 4 : 6, 4);
    expect(limit.noLoadLatencyMs).toBe(5);
    expect(limit.probing).toBe(false);
    expect(limit.limit).toBe(50);
  });

  it('moves once per window, not per request, and waits for enough samples in a quiet window', () => {
    const limit = build();
    run(limit, 1, 5); // the probe
    const baseline = limit.limit;
    for (let i = 0; i < 9; i++) {
      clock += 1_000;
      limit.record(5, 50);
    }
    expect(limit.limit).toBe(baseline); // 9 samples over 9 s: still one window
    clock += 1;
    limit.record(5, 50);
    expect(limit.limit).toBeGreaterThan(baseline);
  });

  it('re-learns the no-load latency after a lasting change of the work (a slower dependency) instead of staying at its floor', () => {
    const limit = build();
    run(limit, 10, 5);
    run(limit, 400, 30); // the work itself became 6 × slower, for good, whatever is in flight (40 s: past the probe interval, however jittered)
    expect(limit.noLoadLatencyMs).toBeGreaterThan(25);
    expect(limit.limit).toBeGreaterThan(options.min * 2);
  });
});
