import { Body, Get, Param, Put } from '@nestjs/common';
import { z } from 'zod';
import { ApiRoute, ZodValidationPipe, type ProblemSpec } from '../http';
import { Schedules, type ScheduleView } from '../schedules';
import { AdminController } from './admin-controller.decorator';
import { scheduleViewSchema } from './admin.schemas';

const SCHEDULE_NOT_FOUND: ProblemSpec = { status: 404, code: 'E_SCHEDULE_NOT_FOUND', when: 'no schedule has this name' };
const STORE_DOWN: ProblemSpec = { status: 503, code: 'E_DEPENDENCY_UNAVAILABLE', when: 'Redis (where pauses are kept) is unreachable: nothing changed' };

/** Body of `PUT /admin/schedules/:name`. */
const pauseScheduleBodySchema = z.strictObject({ paused: z.boolean() });

/**
 * `/admin/schedules`: every schedule (scope, interval or cron, last run,
 * next tick, paused, counters), and pausing or resuming one on every pod.
 */
@AdminController('schedules')
export class SchedulesAdminController {
  constructor(private readonly schedules: Schedules) {}

  @Get()
  @ApiRoute({ summary: 'Every schedule: scope, timing, last and next run, paused, counters', response: z.array(scheduleViewSchema) })
  list(): Promise<ScheduleView[]> {
    return this.schedules.list();
  }

  /** One schedule; 404 `E_SCHEDULE_NOT_FOUND` when none has this name. */
  @Get(':name')
  @ApiRoute({ summary: 'One schedule', response: scheduleViewSchema, problems: [SCHEDULE_NOT_FOUND] })
  get(@Param('name') name: string): Promise<ScheduleView> {
    return this.schedules.get(name);
  }

  /** `{"paused": true|false}`, stored in Redis: every pod skips (or runs again) its ticks. */
  @Put(':name')
  @ApiRoute({ summary: 'Pauses or resumes a schedule on every pod', response: scheduleViewSchema, problems: [SCHEDULE_NOT_FOUND, STORE_DOWN] })
  setPaused(@Param('name') name: string, @Body(new ZodValidationPipe(pauseScheduleBodySchema)) body: { paused: boolean }): Promise<ScheduleView> {
    return this.schedules.setPaused(name, body.paused);
  }
}
