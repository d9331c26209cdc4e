import { Global, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { RedisConnection } from '../redis';
import { REDIS_QUEUE_CLIENT, redisConfig, type RedisConfig } from '../redis';
import { schedulesConfig, type SchedulesConfig } from './schedules.config';
import { SCHEDULE_LEASE, SCHEDULE_STORE } from './schedules.constants';
import { ScheduleLease } from './schedule-lease';
import { ScheduleStore } from './schedule.store';
import { Schedules } from './schedules.service';

/**
 * Scheduled work: `ScheduleModule.forRoot()` of @nestjs/schedule, and the
 * kit's {@link Schedules} on top (named schedules, every pod or once per
 * fleet with a Redis lease, pauses, measures). Global: a folder injects
 * `Schedules` and adds its own. Needs `RedisModule` (the queue role's shared client: leases and pauses must not be evicted) and
 * `LifecycleModule`.
 */
@Global()
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [
    {
      provide: SCHEDULE_LEASE,
      inject: [REDIS_QUEUE_CLIENT, redisConfig.token, schedulesConfig.token],
      useFactory: (redis: RedisConnection, r: RedisConfig, s: SchedulesConfig) => new ScheduleLease(redis, r.keyPrefix, s.redisTimeoutMs),
    },
    {
      provide: SCHEDULE_STORE,
      inject: [REDIS_QUEUE_CLIENT, redisConfig.token, schedulesConfig.token],
      useFactory: (redis: RedisConnection, r: RedisConfig, s: SchedulesConfig) => new ScheduleStore(redis, r.keyPrefix, s.redisTimeoutMs),
    },
    Schedules,
  ],
  exports: [Schedules],
})
export class SchedulesModule {}
