import { ApiError, DependencyUnavailableError } from '../http';

/** 404 `E_SCHEDULE_NOT_FOUND`: `/admin/schedules/:name` names no schedule. */
export class ScheduleNotFoundError extends ApiError {
  readonly status = 404;
  readonly code = 'E_SCHEDULE_NOT_FOUND';
  readonly title = 'Not found';

  constructor(name: string) {
    super(`No schedule is named "${name}".`);
  }
}

/** 503 `E_DEPENDENCY_UNAVAILABLE`: a pause or resume could not be stored in Redis; nothing changed. */
export class SchedulePauseUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('The schedule store (Redis) is unreachable: the schedule was not paused or resumed. Try again.', { retryAfterSeconds: 5, cause });
  }
}

/** Thrown at boot: a schedule definition that cannot run (duplicate name, no or two timings, bad cron). */
export class ScheduleDefinitionError extends Error {
  readonly code = 'E_SCHEDULE_DEFINITION';

  constructor(name: string, problem: string) {
    super(`Schedule "${name}": ${problem}`);
  }
}
