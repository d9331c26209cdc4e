import { StallWatch, type StallProbe } from './stall-watch';

describe('StallWatch', () => {
  let idle: boolean;
  let waiting: number;
  let limitedMs: number;
  const probe: StallProbe = {
    idle: () => idle,
    waitingJobs: () => Promise.resolve(waiting),
    rateLimitedMs: () => Promise.resolve(limitedMs),
  };

  beforeEach(() => {
    idle = true;
    waiting = 5;
    limitedMs = -2;
  });

  it('a worker that takes no job while jobs wait, holding nothing, not rate limited, is stalled at the second check in a row', async () => {
    const watch = new StallWatch(probe);
    expect(await watch.check()).toBe(false);
    expect(await watch.check()).toBe(true);
    // Counted from zero again after a stall.
    expect(await watch.check()).toBe(false);
  });

  it('a job taken between checks, a batch in hand, an empty queue or a rate limit (database outage) is not a stall', async () => {
    const watch = new StallWatch(probe);
    await watch.check();
    watch.sawActivity();
    expect(await watch.check()).toBe(false);
    expect(await watch.check()).toBe(false);

    idle = false;
    expect(await watch.check()).toBe(false);
    idle = true;
    waiting = 0;
    expect(await watch.check()).toBe(false);
    waiting = 5;
    limitedMs = 1_500;
    expect(await watch.check()).toBe(false);
    expect(await watch.check()).toBe(false);
    limitedMs = 0;
    expect(await watch.check()).toBe(false);
    expect(await watch.check()).toBe(true);
  });
});
