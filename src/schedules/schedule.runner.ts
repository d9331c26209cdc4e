import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import type { HeldLease, ScheduleLease } from './schedule-lease';
import type { RunOutcome, ScheduleDefinition, ScheduleRun, SkipReason } from './schedule.types';

/** The process name a run records (`hostname:pid`). */
export const RUNNER_ID = `${hostname()}:${process.pid}`;

/** This process's counters of one schedule, for metrics and `/admin/schedules`. */
export interface ScheduleStats {
  readonly runs: Record<RunOutcome, number>;
  readonly skipped: Record<SkipReason, number>;
  durationSumMs: number;
  /** Epoch ms of the last run that ended `ok` in this process; 0 before the first. */
  lastSuccessAt: number;
}

/** What a runner needs from around it: pauses and fleet runs (Redis), the lease, the clock, the next tick. */
export interface ScheduleRunnerDeps {
  readonly lease: Pick<ScheduleLease, 'acquire' | 'renew' | 'release'>;
  /** True when the schedule is paused fleet-wide (the last known answer when Redis does not give one). */
  readonly isPaused: (name: string) => Promise<boolean>;
  /** Stores a fleet-once run for every pod's `/admin/schedules`; best effort. */
  readonly recordRun: (name: string, run: ScheduleRun) => Promise<void>;
  readonly leaseTtlMs: number;
  readonly now?: () => number;
}

/**
 * One schedule in this process: what each tick of its interval or cron does.
 *
 * - A tick while the previous run still runs is skipped (`overlap`), never stacked.
 * - A paused schedule's ticks are skipped (`paused`).
 * - A fleet-once tick runs only if it takes the lease (else `lease`: another
 *   pod holds it); the lease is renewed every third of its TTL while the run
 *   lasts (a lost lease aborts the run's signal), then kept until just before
 *   the next tick (the rest of the period: a pod whose tick comes later in the
 *   same period finds it held, so the fleet runs it once per period) or
 *   deleted when the period is over. When Redis cannot say (`unavailable`),
 *   the run is skipped: running without the lease could run it on every pod.
 */
export class ScheduleRunner {
  private readonly logger: Logger;
  private readonly now: () => number;
  readonly stats: ScheduleStats = {
    runs: { ok: 0, failed: 0 },
    skipped: { overlap: 0, lease: 0, paused: 0, unavailable: 0 },
    durationSumMs: 0,
    lastSuccessAt: 0,
  };
  /** The run in progress: its abort controller and its end. */
  private current?: { readonly controller: AbortController; readonly done: Promise<void> };
  /** This process's last finished run. */
  lastRun?: ScheduleRun;
  /** When this process's next tick is due, epoch ms; set by whoever drives the ticks. */
  nextTickAt: () => number | undefined = () => undefined;

  constructor(
    readonly definition: ScheduleDefinition,
    private readonly deps: ScheduleRunnerDeps,
  ) {
    this.logger = new Logger(`Schedule:${definition.name}`);
    this.now = deps.now ?? Date.now;
  }

  get name(): string {
    return this.definition.name;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** One tick of the interval or cron. Never throws; resolves when the run (if any) has ended. */
  async tick(): Promise<void> {
    if (this.current) {
      this.stats.skipped.overlap++;
      return;
    }
    const controller = new AbortController();
    let finish!: () => void;
    // Claimed before the first await, so a tick that comes meanwhile is an overlap.
    this.current = { controller, done: new Promise<void>((resolve) => (finish = resolve)) };
    try {
      await this.runUnlessSkipped(controller);
    } finally {
      this.current = undefined;
      finish();
    }
  }

  /** Aborts the run in progress, waits for it, and gives its lease up at once (another pod may take over). */
  async stop(): Promise<void> {
    const current = this.current;
    if (!current) return;
    current.controller.abort(new Error('shutting down'));
    await current.done;
  }

  private async runUnlessSkipped(controller: AbortController): Promise<void> {
    const { name, scope } = this.definition;
    if (await this.deps.isPaused(name)) {
      this.stats.skipped.paused++;
      return;
    }
    if (scope === 'every-pod') {
      await this.run(controller);
      return;
    }
    const ttlMs = this.definition.leaseTtlMs ?? this.deps.leaseTtlMs;
    let lease: HeldLease | undefined;
    try {
      const now = this.now();
      lease = await this.deps.lease.acquire(name, Math.max(ttlMs, this.holdUntil(now) - now));
    } catch (error) {
      this.stats.skipped.unavailable++;
      this.logger.warn({ err: { message: (error as Error).message } }, 'skipped: the lease could not be taken (Redis did not answer)');
      return;
    }
    if (!lease) {
      this.stats.skipped.lease++;
      return;
    }
    // From the moment the run starts (the same turn as its start time): a tick made late by a slow pause check or
    // lease call still keeps the next run of the fleet a period away.
    const holdUntil = this.holdUntil(this.now());
    const renewal = setInterval(() => void this.renew(lease, ttlMs, holdUntil, controller), Math.max(50, Math.floor(ttlMs / 3)));
    renewal.unref();
    let ran: ScheduleRun | undefined;
    try {
      ran = await this.run(controller);
    } finally {
      clearInterval(renewal);
      // Shut down or aborted: free it now, so another pod takes over at its next tick.
      const keepMs = controller.signal.aborted ? 0 : holdUntil - this.now();
      await this.deps.lease.release(lease, keepMs).catch(() => undefined);
      if (ran) await this.deps.recordRun(name, ran).catch(() => undefined);
    }
  }

  private async renew(lease: HeldLease, ttlMs: number, holdUntil: number, controller: AbortController): Promise<void> {
    if (controller.signal.aborted) return;
    try {
      if (await this.deps.lease.renew(lease, Math.max(ttlMs, holdUntil - this.now()))) return;
      this.logger.warn('lease lost mid-run (it expired, and another pod may hold it): the run is aborted');
      controller.abort(new Error('lease lost'));
    } catch {
      // Redis did not answer: the lease still runs for the rest of its TTL; the next renewal tries again.
    }
  }

  /** Runs the work and measures it; undefined when it did not start. */
  private async run(controller: AbortController): Promise<ScheduleRun | undefined> {
    // Stopped while the tick checked the pause or took the lease: the run does not start.
    if (controller.signal.aborted) return undefined;
    const startedAt = this.now();
    let outcome: RunOutcome = 'ok';
    try {
      await this.definition.run(controller.signal);
    } catch (error) {
      outcome = 'failed';
      this.logger.warn({ err: { message: (error as Error)?.message ?? String(error) } }, 'run failed');
    }
    const durationMs = this.now() - startedAt;
    this.stats.runs[outcome]++;
    this.stats.durationSumMs += durationMs;
    if (outcome === 'ok') this.stats.lastSuccessAt = startedAt + durationMs;
    this.lastRun = { startedAt: new Date(startedAt).toISOString(), durationMs, outcome, runner: RUNNER_ID };
    return this.lastRun;
  }

  /**
   * Until when a fleet-once run that starts at `now` keeps its lease, so that
   * the other pods' ticks of this period find it held and the next period is
   * free: an interval, a period from the run's start less a tenth (at most a
   * second), whenever its tick came (the pods' ticks are not in phase, so a late
   * tick that held only until its own next one left the fleet's next run less
   * than a period away); a cron, just before the next fire time (a tenth of the
   * gap, at most a second, earlier), which is the same on every pod.
   */
  private holdUntil(now: number): number {
    const { everyMs } = this.definition;
    if (everyMs !== undefined) return now + everyMs - Math.min(1_000, everyMs / 10);
    const next = this.nextTickAt();
    if (next === undefined || next <= now) return now;
    const gap = next - now;
    return next - Math.min(1_000, gap / 10);
  }
}
