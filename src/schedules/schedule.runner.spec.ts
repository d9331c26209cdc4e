import type { HeldLease } from './schedule-lease';
import { ScheduleRunner, type ScheduleRunnerDeps } from './schedule.runner';
import type { ScheduleDefinition } from './schedule.types';

/** A lease in memory: one holder at a time, with the calls it got. */
class FakeLease {
  holder?: string;
  fail = false;
  renewals = 0;
  renewAnswer = true;
  released: Array<{ token: string; keepMs: number }> = [];
  acquiredTtls: number[] = [];
  private next = 0;

  acquire(name: string, ttlMs: number): Promise<HeldLease | undefined> {
    if (this.fail) return Promise.reject(new Error('redis down'));
    if (this.holder) return Promise.resolve(undefined);
    this.holder = `t${++this.next}`;
    this.acquiredTtls.push(ttlMs);
    return Promise.resolve({ name, token: this.holder });
  }

  renew(): Promise<boolean> {
    this.renewals++;
    return Promise.resolve(this.renewAnswer);
  }

  release(lease: HeldLease, keepMs = 0): Promise<boolean> {
    this.released.push({ token: lease.token, keepMs });
    if (this.holder === lease.token && keepMs <= 0) this.holder = undefined;
    return Promise.resolve(true);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ScheduleRunner', () => {
  let now = 1_000_000;
  let lease: FakeLease;
  let paused: boolean;
  let recorded: string[];

  beforeEach(() => {
    now = 1_000_000;
    lease = new FakeLease();
    paused = false;
    recorded = [];
  });

  function runner(definition: Partial<ScheduleDefinition> & Pick<ScheduleDefinition, 'run'>, overrides: Partial<ScheduleRunnerDeps> = {}): ScheduleRunner {
    const deps: ScheduleRunnerDeps = {
      lease,
      leaseTtlMs: 3_000,
      isPaused: () => Promise.resolve(paused),
      recordRun: (name) => Promise.resolve(void recorded.push(name)),
      now: () => now,
      ...overrides,
    };
    const r = new ScheduleRunner({ name: 's', scope: 'fleet-once', everyMs: 10_000, ...definition }, deps);
    r.nextTickAt = () => now + 10_000;
    return r;
  }

  it('skips a tick while the previous run still runs, instead of stacking it', async () => {
    const gate = deferred();
    let runs = 0;
    const r = runner({ scope: 'every-pod', run: () => (runs++, gate.promise) });
    const first = r.tick();
    await r.tick();
    await r.tick();
    expect(r.stats.skipped.overlap).toBe(2);
    gate.resolve();
    await first;
    expect(runs).toBe(1);
    await r.tick();
    expect(runs).toBe(2);
    expect(r.stats.runs).toEqual({ ok: 2, failed: 0 });
  });

  it('a fleet-once tick runs only with the lease, keeps it until just before the next tick, and records the run for the fleet', async () => {
    const run = jest.fn(() => {
      now += 2_000;
      return Promise.resolve();
    });
    const a = runner({ run });
    await a.tick();
    expect(run).toHaveBeenCalledTimes(1);
    // Held until 1 s (a tenth of the 10 s gap, at most 1 s) before the next tick: 10 s - 1 s - the 2 s it ran.
    expect(lease.released).toEqual([{ token: 't1', keepMs: 7_000 }]);
    expect(lease.acquiredTtls).toEqual([9_000]);
    expect(recorded).toEqual(['s']);

    // Another process's tick in the same period finds it held.
    const b = runner({ run });
    await b.tick();
    expect(run).toHaveBeenCalledTimes(1);
    expect(b.stats.skipped.lease).toBe(1);
  });

  it("a late fleet-once tick (a slow pause check) keeps the lease a period from the run's start, not only until its own next tick", async () => {
    const tickAt = now;
    let startedAt = 0;
    const slowPauseCheck = (): Promise<boolean> => {
      now += 4_000;
      return Promise.resolve(false);
    };
    const run = (): Promise<void> => {
      startedAt = now;
      return Promise.resolve();
    };
    const r = runner({ run }, { isPaused: slowPauseCheck });
    r.nextTickAt = () => tickAt + 10_000;
    await r.tick();
    expect(startedAt).toBe(tickAt + 4_000);
    // Held until 9 s after the run started (a period less a tenth), not 9 s after the tick.
    expect(lease.released).toEqual([{ token: 't1', keepMs: 9_000 }]);
  });

  it('skips a fleet-once tick when Redis cannot grant the lease, and paused ticks, without running', async () => {
    const run = jest.fn();
    const r = runner({ run });
    lease.fail = true;
    await r.tick();
    paused = true;
    lease.fail = false;
    await r.tick();
    expect(run).not.toHaveBeenCalled();
    expect(r.stats.skipped).toMatchObject({ unavailable: 1, paused: 1, lease: 0 });
  });

  it('a failed run is counted and the schedule goes on', async () => {
    const r = runner({ scope: 'every-pod', run: () => Promise.reject(new Error('boom')) });
    await r.tick();
    await r.tick();
    expect(r.stats.runs).toEqual({ ok: 0, failed: 2 });
    expect(r.lastRun).toMatchObject({ outcome: 'failed' });
  });

  it('renews the lease while a run lasts, and aborts the run when the lease is lost', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      let signal: AbortSignal | undefined;
      const r = runner({
        leaseTtlMs: 300,
        run: (s) => {
          signal = s;
          return new Promise<void>((resolve) => s.addEventListener('abort', () => resolve()));
        },
      });
      const ticking = r.tick();
      await jest.advanceTimersByTimeAsync(250);
      expect(lease.renewals).toBe(2);
      expect(signal?.aborted).toBe(false);
      lease.renewAnswer = false;
      await jest.advanceTimersByTimeAsync(100);
      await ticking;
      expect(signal?.aborted).toBe(true);
      // Aborted: given up at once, not kept for the rest of the period.
      expect(lease.released.at(-1)?.keepMs).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('stop() aborts the run in hand and waits for it', async () => {
    let aborted = false;
    const r = runner({
      scope: 'every-pod',
      run: (signal) =>
        new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          }),
        ),
    });
    const ticking = r.tick();
    expect(r.running).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    await r.stop();
    await ticking;
    expect(aborted).toBe(true);
    expect(r.running).toBe(false);
  });

  it('a stop that comes while a tick checks the pause or takes the lease keeps the run from starting', async () => {
    const run = jest.fn();
    const r = runner({ run });
    const ticking = r.tick();
    await r.stop();
    await ticking;
    expect(run).not.toHaveBeenCalled();
    expect(lease.released.at(-1)?.keepMs ?? 0).toBe(0);
    // Nothing ran: nothing is recorded as the fleet's last run.
    expect(recorded).toEqual([]);
  });
});
