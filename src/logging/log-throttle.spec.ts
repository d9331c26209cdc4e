import { LogThrottle } from './log-throttle';

describe('LogThrottle', () => {
  it('lets a burst through, then perSecond, and reports how many were dropped', () => {
    let now = 0;
    const throttle = new LogThrottle(2, 3, () => now);
    expect([throttle.take(), throttle.take(), throttle.take()]).toEqual([0, 0, 0]);
    expect([throttle.take(), throttle.take()]).toEqual([undefined, undefined]);
    now = 499; // 0.998 tokens: still nothing
    expect(throttle.take()).toBeUndefined();
    now = 500;
    expect(throttle.take()).toBe(3);
    now = 10_000; // refills to the burst, not beyond
    expect([throttle.take(), throttle.take(), throttle.take(), throttle.take()]).toEqual([0, 0, 0, undefined]);
  });
});
