import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { InjectConfig } from '../config';
import { ShutdownSequence } from '../lifecycle';
import { ScheduleDefinitionError, ScheduleNotFoundError, SchedulePauseUnavailableError } from './schedules.errors';
import { schedulesConfig, type SchedulesConfig } from './schedules.config';
import { SCHEDULE_LEASE, SCHEDULE_STORE } from './schedules.constants';
import type { ScheduleLease } from './schedule-lease';
import { ScheduleRunner } from './schedule.runner';
import type { ScheduleStore } from './schedule.store';
import type { ScheduleDefinition, ScheduleRun, ScheduleView } from './schedule.types';

const NAME = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The kit's scheduled work on @nestjs/schedule. A folder adds a named
 * {@link ScheduleDefinition} (interval or cron, `every-pod` or
 * `fleet-once`); from application bootstrap on, each is an interval or a
 * `CronJob` in Nest's `SchedulerRegistry` whose ticks a {@link ScheduleRunner}
 * handles (overlap, pause, lease, measures). With `SCHEDULES_ENABLED=false`
 * nothing ticks in this process. Pauses are fleet-wide (Redis); the shutdown
 * sequence stops the ticks and aborts the runs in hand first (`queues` phase).
 *
 * @example
 * ```ts
 * schedules.add({ name: 'reindex', scope: 'fleet-once', cron: '0 *\/5 * * * *', run: (signal) => this.reindex(signal) });
 * ```
 */
@Injectable()
export class Schedules implements OnApplicationBootstrap {
  private readonly logger = new Logger('Schedules');
  private readonly runners = new Map<string, ScheduleRunner>();
  private readonly crons = new Map<string, CronJob>();
  private started = false;
  private stopped = false;
  /** The last fleet-wide pauses Redis gave, for ticks and lists while it does not answer. */
  private knownPaused = new Set<string>();

  constructor(
    private readonly registry: SchedulerRegistry,
    @Inject(SCHEDULE_LEASE) private readonly lease: ScheduleLease,
    @Inject(SCHEDULE_STORE) private readonly store: ScheduleStore,
    @InjectConfig(schedulesConfig) private readonly config: SchedulesConfig,
    shutdown: ShutdownSequence,
  ) {
    shutdown.register('queues', 'schedules', () => this.stop());
  }

  /** Declares a schedule; it starts ticking at application bootstrap (at once when added later). Throws {@link ScheduleDefinitionError}. */
  add(definition: ScheduleDefinition): void {
    const { name, everyMs, cron } = definition;
    if (!NAME.test(name)) throw new ScheduleDefinitionError(name, 'the name must be 1-100 of A-Z a-z 0-9 . _ : -');
    if (this.runners.has(name)) throw new ScheduleDefinitionError(name, 'declared twice; give each schedule its own name');
    if ((everyMs === undefined) === (cron === undefined)) throw new ScheduleDefinitionError(name, 'give exactly one of everyMs and cron');
    if (everyMs !== undefined && (!Number.isInteger(everyMs) || everyMs < 1))
      throw new ScheduleDefinitionError(name, `everyMs must be a positive integer, got ${everyMs}`);
    const runner = new ScheduleRunner(definition, {
      lease: this.lease,
      leaseTtlMs: this.config.leaseTtlMs,
      isPaused: (n) => this.isPaused(n),
      recordRun: (n, run) => this.store.recordRun(n, run),
    });
    if (cron !== undefined) this.crons.set(name, this.cronJob(runner, cron));
    this.runners.set(name, runner);
    if (this.started) this.start(runner);
  }

  onApplicationBootstrap(): void {
    this.started = true;
    for (const runner of this.runners.values()) this.start(runner);
  }

  /** Every schedule, with the fleet's pauses and last fleet-once runs (this process's when Redis does not answer). */
  async list(): Promise<ScheduleView[]> {
    const runs = await this.store.runs().catch(() => new Map<string, ScheduleRun>());
    await this.refreshPaused();
    return [...this.runners.values()].map((runner) => this.view(runner, runs.get(runner.name)));
  }

  /** One schedule; {@link ScheduleNotFoundError} when none has this name. */
  async get(name: string): Promise<ScheduleView> {
    const found = (await this.list()).find((view) => view.name === name);
    if (!found) throw new ScheduleNotFoundError(name);
    return found;
  }

  /** Pauses or resumes `name` on every pod; {@link SchedulePauseUnavailableError} (nothing changed) when Redis does not answer. */
  async setPaused(name: string, paused: boolean): Promise<ScheduleView> {
    if (!this.runners.has(name)) throw new ScheduleNotFoundError(name);
    try {
      await this.store.setPaused(name, paused);
    } catch (error) {
      throw new SchedulePauseUnavailableError(error);
    }
    this.logger.log(`${name} ${paused ? 'paused' : 'resumed'} on every pod`);
    return this.get(name);
  }

  /** The runners, for metrics. */
  all(): readonly ScheduleRunner[] {
    return [...this.runners.values()];
  }

  private start(runner: ScheduleRunner): void {
    if (!this.config.enabled || this.stopped) return;
    const { name, everyMs } = runner.definition;
    const cron = this.crons.get(name);
    if (cron) {
      runner.nextTickAt = () => cron.nextDate().toMillis();
      this.registry.addCronJob(name, cron);
      cron.start();
      return;
    }
    let lastTickAt = Date.now();
    runner.nextTickAt = () => lastTickAt + everyMs!;
    const interval = setInterval(() => {
      lastTickAt = Date.now();
      void runner.tick();
    }, everyMs);
    interval.unref();
    this.registry.addInterval(name, interval);
  }

  private cronJob(runner: ScheduleRunner, cron: string): CronJob {
    try {
      return CronJob.from({ cronTime: cron, onTick: () => void runner.tick(), start: false, timeZone: 'UTC', name: runner.name });
    } catch (error) {
      throw new ScheduleDefinitionError(runner.name, `invalid cron "${cron}" (${(error as Error).message})`);
    }
  }

  private async isPaused(name: string): Promise<boolean> {
    await this.refreshPaused();
    return this.knownPaused.has(name);
  }

  private async refreshPaused(): Promise<void> {
    try {
      this.knownPaused = await this.store.paused();
    } catch {
      // Redis did not answer: the last known pauses hold.
    }
  }

  private view(runner: ScheduleRunner, fleetRun: ScheduleRun | undefined): ScheduleView {
    const { name, scope, everyMs, cron } = runner.definition;
    const active = this.registry.doesExist(cron ? 'cron' : 'interval', name);
    const next = active ? runner.nextTickAt() : undefined;
    return {
      name,
      scope,
      everyMs: everyMs ?? null,
      cron: cron ?? null,
      active,
      paused: this.knownPaused.has(name),
      running: runner.running,
      lastRun: (scope === 'fleet-once' ? fleetRun : undefined) ?? runner.lastRun ?? null,
      nextRunAt: next === undefined ? null : new Date(next).toISOString(),
      runs: { ...runner.stats.runs },
      skipped: { ...runner.stats.skipped },
    };
  }

  /** Stops every tick, then aborts and waits for the runs in hand (a fleet-once one frees its lease). */
  private async stop(): Promise<void> {
    this.stopped = true;
    for (const runner of this.runners.values()) {
      const kind = this.crons.has(runner.name) ? 'cron' : 'interval';
      if (!this.registry.doesExist(kind, runner.name)) continue;
      if (kind === 'cron') this.registry.deleteCronJob(runner.name);
      else this.registry.deleteInterval(runner.name);
    }
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
  }
}
