import { Body, Get, Param, Put } from '@nestjs/common';
import { z } from 'zod';
import { ZodValidationPipe } from '../http';
import { Schedules, type ScheduleView } from '../schedules';
import { AdminController } from './admin-controller.decorator';

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
  list(): Promise<ScheduleView[]> {
    return this.schedules.list();
  }

  /** One schedule; 404 `E_SCHEDULE_NOT_FOUND` when none has this name. */
  @Get(':name')
  get(@Param('name') name: string): Promise<ScheduleView> {
    return this.schedules.get(name);
  }

  /** `{"paused": true|false}`, stored in Redis: every pod skips (or runs again) its ticks. */
  @Put(':name')
  setPaused(@Param('name') name: string, @Body(new ZodValidationPipe(pauseScheduleBodySchema)) body: { paused: boolean }): Promise<ScheduleView> {
    return this.schedules.setPaused(name, body.paused);
  }
}
