/** Scheduled work on @nestjs/schedule: every pod or once per fleet (Redis lease), paused fleet-wide, measured. */
export { ScheduleDefinitionError, ScheduleNotFoundError, SchedulePauseUnavailableError } from './schedules.errors';
export { schedulesConfig } from './schedules.config';
export type { SchedulesConfig } from './schedules.config';
export { SchedulesModule } from './schedules.module';
export { Schedules } from './schedules.service';
export type { ScheduleStats } from './schedule.runner';
export type { RunOutcome, ScheduleDefinition, ScheduleRun, ScheduleScope, ScheduleView, SkipReason } from './schedule.types';
