import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { defineConfig, intVar, type ConfigOf } from '../config';

/** How many app processes one machine (or pod) runs, and how the primary supervises them. */
export const clusterConfig = defineConfig(
  'cluster',
  z.object({
    APP_PROCESSES: z
      .union([z.literal('auto'), z.coerce.number().int().min(1).max(256)])
      .default(1)
      .describe(
        'App processes on this machine: 1 runs one process (no primary); N or auto (the available parallelism) starts a primary that forks N processes sharing the port and restarts any that crashes.',
      ),
    APP_RESTART_BACKOFF_MS: intVar(200, 10).describe('A crashed app process is restarted after this long, doubling (with jitter) for each crash in a row …'),
    APP_RESTART_BACKOFF_CAP_MS: intVar(10_000, 10).describe('… up to this long.'),
    APP_RESTART_STABLE_MS: intVar(30_000, 1000).describe('A process that ran this long without crashing starts the doubling again from its first step.'),
  }),
  (env) => ({
    processes: env.APP_PROCESSES === 'auto' ? availableParallelism() : env.APP_PROCESSES,
    restart: {
      baseMs: env.APP_RESTART_BACKOFF_MS,
      capMs: Math.max(env.APP_RESTART_BACKOFF_CAP_MS, env.APP_RESTART_BACKOFF_MS),
      stableMs: env.APP_RESTART_STABLE_MS,
    },
  }),
);
export type ClusterConfig = ConfigOf<typeof clusterConfig>;
