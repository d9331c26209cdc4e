/**
 * Where a schedule runs: on `every-pod` (each process that schedules it runs
 * each of its ticks), or `fleet-once` (one process per period, the one that
 * takes its Redis lease).
 */
export type ScheduleScope = 'every-pod' | 'fleet-once';

/** A named periodic task, as a folder hands it to `Schedules.add`. Exactly one of `everyMs` and `cron`. */
export interface ScheduleDefinition {
  /** Unique; the name in `/admin/schedules`, metrics and logs. Letters, digits, `.`, `_`, `:` and `-`. */
  readonly name: string;
  readonly scope: ScheduleScope;
  /** Runs every this many milliseconds (`SchedulerRegistry.addInterval`). */
  readonly everyMs?: number;
  /** Runs at the times of this cron expression, seconds field optional (a `CronJob` in `SchedulerRegistry`), in UTC. */
  readonly cron?: string;
  /** Lease of a fleet-once run, renewed every third of it while the run lasts. @default SCHEDULES_LEASE_TTL_MS */
  readonly leaseTtlMs?: number;
  /**
   * The work. `signal` aborts when the process shuts down or a fleet-once run
   * lost its lease (another pod may run now): stop soon. A throw is the run's
   * `failed` outcome, logged; the schedule goes on.
   */
  readonly run: (signal: AbortSignal) => Promise<unknown> | void;
}

/** How a run of a schedule ended, or why a tick did not run it. */
export type RunOutcome = 'ok' | 'failed';
export type SkipReason = 'overlap' | 'lease' | 'paused' | 'unavailable';

/** A finished run, as `/admin/schedules` shows it. */
export interface ScheduleRun {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly outcome: RunOutcome;
  /** The process that ran it (`hostname:pid`). */
  readonly runner: string;
}

/** One schedule in `GET /admin/schedules`. */
export interface ScheduleView {
  readonly name: string;
  readonly scope: ScheduleScope;
  readonly everyMs: number | null;
  readonly cron: string | null;
  /** Scheduled in this process (false with `SCHEDULES_ENABLED=false`, or a role that does not run it). */
  readonly active: boolean;
  readonly paused: boolean;
  readonly running: boolean;
  /** The last finished run: of the fleet for a fleet-once schedule (stored in Redis), of this process for an every-pod one. */
  readonly lastRun: ScheduleRun | null;
  /** This process's next tick (a fleet-once tick runs only if it takes the lease). */
  readonly nextRunAt: string | null;
  /** This process's counters since it started. */
  readonly runs: Readonly<Record<RunOutcome, number>>;
  readonly skipped: Readonly<Record<SkipReason, number>>;
}
