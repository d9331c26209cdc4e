import { z } from 'zod';
import { defineConfig, type ConfigOf, intVar, listVar } from '../config';

/** Dependencies that readiness may be made to require. */
export const READINESS_DEPENDENCIES = ['postgres', 'redis'] as const;
export type ReadinessDependency = (typeof READINESS_DEPENDENCIES)[number];

/** Health probes and the shutdown sequence. */
export const healthConfig = defineConfig(
  'health',
  z.object({
    HEALTH_READY_REQUIRES: listVar(READINESS_DEPENDENCIES, '').describe(
      'Comma-separated dependencies (postgres, redis) without which this pod reports not ready; the others are reported but do not fail readiness.',
    ),
    HEALTH_CHECK_TIMEOUT_MS: intVar(1000, 10).describe('Timeout of one dependency check.'),
    HEALTH_LIVE_MAX_EVENT_LOOP_DELAY_MS: intVar(2000, 10).describe('Liveness fails when the event-loop delay p99 of the last seconds passes this.'),
    SHUTDOWN_DRAIN_DELAY_MS: intVar(5000, 0).describe('After SIGTERM, time readiness reports 503 before the server stops accepting requests.'),
    SHUTDOWN_HTTP_GRACE_MS: intVar(5000, 0).describe(
      'Once the drain delay is over and the listener closes, how long requests in flight may take to finish; past it, the connections still open are closed.',
    ),
    SHUTDOWN_TIMEOUT_MS: intVar(30_000, 1000).describe('After SIGTERM, the process exits with code 1 if shutdown has not finished by then.'),
    SHUTDOWN_STEP_TIMEOUT_MS: intVar(5000, 100).describe(
      'Longest one closer of the shutdown sequence (a queue worker, a Redis client, the database pool) may take; past it, its connections are dropped and shutdown goes on.',
    ),
  }),
  (env) => ({
    readyRequires: env.HEALTH_READY_REQUIRES,
    checkTimeoutMs: env.HEALTH_CHECK_TIMEOUT_MS,
    liveMaxEventLoopDelayMs: env.HEALTH_LIVE_MAX_EVENT_LOOP_DELAY_MS,
    drainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS,
    httpGraceMs: env.SHUTDOWN_HTTP_GRACE_MS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    shutdownStepTimeoutMs: env.SHUTDOWN_STEP_TIMEOUT_MS,
  }),
);
export type HealthConfig = ConfigOf<typeof healthConfig>;
