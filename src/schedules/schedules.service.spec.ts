import { SchedulerRegistry } from '@nestjs/schedule';
import type { ShutdownSequence } from '../lifecycle';
import type { ScheduleLease } from './schedule-lease';
import type { ScheduleStore } from './schedule.store';
import { ScheduleDefinitionError, ScheduleNotFoundError, SchedulePauseUnavailableError } from './schedules.errors';
import { Schedules } from './schedules.service';

describe('Schedules', () => {
  let registry: SchedulerRegistry;
  let closers: Array<() => Promise<unknown>>;
  let storeDown: boolean;

  function schedules(enabled = true): Schedules {
    const paused = new Set<string>();
    const store = {
      paused: () => (storeDown ? Promise.reject(new Error('down')) : Promise.resolve(new Set(paused))),
      setPaused: (name: string, p: boolean) =>
        storeDown ? Promise.reject(new Error('down')) : Promise.resolve(void (p ? paused.add(name) : paused.delete(name))),
      runs: () => Promise.resolve(new Map()),
      recordRun: () => Promise.resolve(),
    } as unknown as ScheduleStore;
    const shutdown = { register: (_phase: string, _name: string, close: () => Promise<unknown>) => closers.push(close) } as unknown as ShutdownSequence;
    return new Schedules(registry, {} as ScheduleLease, store, { enabled, leaseTtlMs: 1_000, redisTimeoutMs: 100 }, shutdown);
  }

  beforeEach(() => {
    registry = new SchedulerRegistry();
    closers = [];
    storeDown = false;
  });
  afterEach(async () => {
    for (const close of closers) await close();
  });

  it('refuses definitions that cannot run, naming the schedule', () => {
    const s = schedules();
    const run = () => undefined;
    s.add({ name: 'a', scope: 'every-pod', everyMs: 1_000, run });
    expect(() => s.add({ name: 'a', scope: 'every-pod', everyMs: 1_000, run })).toThrow(/"a": declared twice/);
    expect(() => s.add({ name: 'b', scope: 'every-pod', run })).toThrow(ScheduleDefinitionError);
    expect(() => s.add({ name: 'b', scope: 'every-pod', everyMs: 1_000, cron: '* * * * *', run })).toThrow(/exactly one of everyMs and cron/);
    expect(() => s.add({ name: 'b', scope: 'every-pod', everyMs: 0, run })).toThrow(/positive integer/);
    expect(() => s.add({ name: 'b', scope: 'every-pod', cron: 'every tuesday', run })).toThrow(/invalid cron "every tuesday"/);
    expect(() => s.add({ name: 'has space', scope: 'every-pod', everyMs: 1_000, run })).toThrow(/the name must be/);
  });

  it('registers intervals and CronJobs in SchedulerRegistry at bootstrap, and removes them at shutdown', async () => {
    const s = schedules();
    s.add({ name: 'every', scope: 'every-pod', everyMs: 60_000, run: () => undefined });
    s.add({ name: 'nightly', scope: 'fleet-once', cron: '0 0 3 * * *', run: () => undefined });
    expect(registry.getIntervals()).toEqual([]);
    s.onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual(['every']);
    expect([...registry.getCronJobs().keys()]).toEqual(['nightly']);
    const views = await s.list();
    expect(views.find((v) => v.name === 'nightly')).toMatchObject({ scope: 'fleet-once', cron: '0 0 3 * * *', everyMs: null, active: true });
    expect(new Date(views.find((v) => v.name === 'nightly')!.nextRunAt!).getUTCHours()).toBe(3);
    await closers[0]();
    expect(registry.getIntervals()).toEqual([]);
    expect(registry.getCronJobs().size).toBe(0);
  });

  it('with SCHEDULES_ENABLED=false lists the schedules but ticks none', async () => {
    const s = schedules(false);
    s.add({ name: 'every', scope: 'every-pod', everyMs: 60_000, run: () => undefined });
    s.onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual([]);
    expect(await s.list()).toMatchObject([{ name: 'every', active: false, nextRunAt: null }]);
  });

  it('pauses by name; unknown names are 404, an unreachable store 503 with nothing changed', async () => {
    const s = schedules();
    s.add({ name: 'every', scope: 'every-pod', everyMs: 60_000, run: () => undefined });
    expect(await s.setPaused('every', true)).toMatchObject({ name: 'every', paused: true });
    await expect(s.setPaused('nope', true)).rejects.toBeInstanceOf(ScheduleNotFoundError);
    storeDown = true;
    await expect(s.setPaused('every', false)).rejects.toBeInstanceOf(SchedulePauseUnavailableError);
    // The last known pause still holds while the store does not answer.
    expect(await s.get('every')).toMatchObject({ paused: true });
  });
});
