import { z } from 'zod';
import { defineConfig, type ConfigOf, boolVar, intVar } from '../config';

/**
 * Scheduled work (`SchedulesModule`): the lease of fleet-once schedules. Each
 * schedule's own interval or cron lives in the config of the folder that
 * declares it (`WRITE_BEHIND_RECONCILE_EVERY_MS`, `CACHE_REFRESH_AHEAD_EVERY_MS`).
 */
export const schedulesConfig = defineConfig(
  'schedules',
  z.object({
    SCHEDULES_ENABLED: boolVar(true).describe(
      'Run scheduled work in this process. false: nothing is scheduled here (the schedules are still listed under /admin/schedules).',
    ),
    SCHEDULES_LEASE_TTL_MS: intVar(30_000, 100).describe(
      'Lease of a fleet-once schedule while it runs (renewed every third of it): a pod that dies mid-run holds it at most this long.',
    ),
    SCHEDULES_REDIS_TIMEOUT_MS: intVar(500, 10).describe(
      'Longest a lease, pause or last-run call waits for Redis; a fleet-once run that cannot take its lease in time is skipped (reason unavailable).',
    ),
  }),
  (env) => ({ enabled: env.SCHEDULES_ENABLED, leaseTtlMs: env.SCHEDULES_LEASE_TTL_MS, redisTimeoutMs: env.SCHEDULES_REDIS_TIMEOUT_MS }),
);
export type SchedulesConfig = ConfigOf<typeof schedulesConfig>;
