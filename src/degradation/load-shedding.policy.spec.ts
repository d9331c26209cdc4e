import { LoadSheddingPolicy, type SheddingThresholds } from './load-shedding.policy';

const thresholds: SheddingThresholds = { enterEventLoopP99Ms: 200, exitEventLoopP99Ms: 50, enterInFlight: 100, exitInFlight: 50, holdMs: 1000 };
const calm = { eventLoopP99Ms: 10, inFlightPeak: 5 };

/** Samples come every 250 ms; the clock is the test's. */
describe('LoadSheddingPolicy (hysteresis)', () => {
  it('starts when the event-loop p99 passes its enter threshold, not at it', () => {
    const policy = new LoadSheddingPolicy(thresholds);
    expect(policy.observe({ eventLoopP99Ms: 200, inFlightPeak: 0 }, 0)).toBeUndefined();
    expect(policy.observe({ eventLoopP99Ms: 201, inFlightPeak: 0 }, 250)).toBe('start');
    expect(policy.active).toBe(true);
    expect(policy.reason).toBe('eventLoopP99Ms 201 > 200');
  });

  it('starts when in-flight requests pass their enter threshold', () => {
    const policy = new LoadSheddingPolicy(thresholds);
    expect(policy.observe({ eventLoopP99Ms: 0, inFlightPeak: 101 }, 0)).toBe('start');
    expect(policy.reason).toBe('inFlight 101 > 100');
  });

  it('stays on between the exit and enter thresholds, and stops only after holdMs of calm', () => {
    const policy = new LoadSheddingPolicy(thresholds);
    policy.observe({ eventLoopP99Ms: 300, inFlightPeak: 0 }, 0);
    // Under the enter threshold but over the exit one: no change, however long.
    for (let t = 250; t <= 5000; t += 250) expect(policy.observe({ eventLoopP99Ms: 120, inFlightPeak: 0 }, t)).toBeUndefined();
    expect(policy.observe({ eventLoopP99Ms: 10, inFlightPeak: 60 }, 5250)).toBeUndefined(); // in-flight still over its exit
    // Calm from 5500: the hold runs out at 6500.
    expect(policy.observe(calm, 5500)).toBeUndefined();
    expect(policy.observe(calm, 6000)).toBeUndefined();
    expect(policy.observe(calm, 6250)).toBeUndefined();
    expect(policy.observe(calm, 6500)).toBe('stop');
    expect([policy.active, policy.reason]).toEqual([false, undefined]);
    expect(policy.observe(calm, 6750)).toBeUndefined();
  });

  it('a burst during the hold restarts it, so bursty overload does not flap', () => {
    const policy = new LoadSheddingPolicy(thresholds);
    const transitions: Array<[number, string]> = [];
    // 300 ms blocked every second for 4 s (the sampled p99 alternates), then calm.
    for (let t = 0; t <= 8000; t += 250) {
      const busy = t < 4000 && t % 1000 === 0;
      const change = policy.observe(busy ? { eventLoopP99Ms: 300, inFlightPeak: 0 } : calm, t);
      if (change) transitions.push([t, change]);
    }
    expect(transitions).toEqual([
      [0, 'start'],
      [4250, 'stop'],
    ]);
  });

  it('holdMs 0 stops at the first calm sample', () => {
    const policy = new LoadSheddingPolicy({ ...thresholds, holdMs: 0 });
    policy.observe({ eventLoopP99Ms: 300, inFlightPeak: 0 }, 0);
    expect(policy.observe(calm, 250)).toBe('stop');
  });
});
