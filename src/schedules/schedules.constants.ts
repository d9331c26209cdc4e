/** DI token of the {@link ScheduleLease} (Redis). */
export const SCHEDULE_LEASE = Symbol('SCHEDULE_LEASE');
/** DI token of the {@link ScheduleStore} (Redis). */
export const SCHEDULE_STORE = Symbol('SCHEDULE_STORE');
