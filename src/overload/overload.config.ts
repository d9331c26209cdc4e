import { z } from 'zod';
import { boolVar, defineConfig, intVar, type ConfigOf } from '../config';

/**
 * Overload protection: an adaptive limit on requests in flight (see `GradientLimit`), admission by
 * criticality (see `AdmissionController`). Off by default until the `overload` bench has measured
 * it against the peers; health probes, `/metrics` and admin are never limited.
 */
export const overloadConfig = defineConfig(
  'overload',
  z.object({
    OVERLOAD_ENABLED: boolVar(false).describe('Limit the requests in flight (an adaptive concurrency limit); over it, 503 E_OVERLOADED with Retry-After.'),
    OVERLOAD_PINNED_LIMIT: intVar(0, 0).describe('A fixed limit instead of the adaptive one (0: adaptive). Also settable through PUT /admin/overload.'),
    OVERLOAD_LIMIT_INITIAL: intVar(20, 1).describe('The adaptive limit once the first no-load latency is measured.'),
    OVERLOAD_LIMIT_MIN: intVar(4, 1).describe('The adaptive limit never goes below this; the no-load latency is measured at it.'),
    OVERLOAD_LIMIT_MAX: intVar(1000, 1).describe('The adaptive limit never goes above this.'),
    OVERLOAD_TOLERANCE_PERCENT: intVar(200, 100, 10_000).describe('Latency up to this percentage of the no-load latency is not taken as queueing.'),
    OVERLOAD_WINDOW_MS: intVar(100, 10, 60_000).describe('The limit moves once per window of this length (and at least 10 completed requests).'),
    OVERLOAD_PROBE_INTERVAL_MS: intVar(30_000, 1_000).describe(
      'The no-load latency is measured again this often (the limit is held at OVERLOAD_LIMIT_MIN meanwhile).',
    ),
    OVERLOAD_QUEUE_SIZE: intVar(100, 0).describe('Essential requests over the limit wait in a queue of at most this many (newest served first) …'),
    OVERLOAD_QUEUE_TIMEOUT_MS: intVar(100, 1, 60_000).describe(
      '… for at most this long; then they are refused. A queue not empty for this long is standing: requests over the limit are then refused at once until this long passes with none over it.',
    ),
    OVERLOAD_SHEDDABLE_PERCENT: intVar(75, 0, 100).describe(
      'Sheddable requests run only while fewer than this percentage of the limit is in flight and nothing waits.',
    ),
    OVERLOAD_RETRY_AFTER_SECONDS: intVar(1, 1, 3600).describe('Retry-After of the 503 E_OVERLOADED.'),
  }),
  (env) => ({
    enabled: env.OVERLOAD_ENABLED,
    pinnedLimit: env.OVERLOAD_PINNED_LIMIT === 0 ? undefined : env.OVERLOAD_PINNED_LIMIT,
    limit: {
      initial: env.OVERLOAD_LIMIT_INITIAL,
      min: Math.min(env.OVERLOAD_LIMIT_MIN, env.OVERLOAD_LIMIT_MAX),
      max: env.OVERLOAD_LIMIT_MAX,
      windowMs: env.OVERLOAD_WINDOW_MS,
      minSamples: 10,
      tolerance: env.OVERLOAD_TOLERANCE_PERCENT / 100,
      smoothing: 0.2,
      probeIntervalMs: env.OVERLOAD_PROBE_INTERVAL_MS,
      probeSamples: 20,
    },
    admission: {
      queueSize: env.OVERLOAD_QUEUE_SIZE,
      queueTimeoutMs: env.OVERLOAD_QUEUE_TIMEOUT_MS,
      sheddableShare: env.OVERLOAD_SHEDDABLE_PERCENT / 100,
    },
    retryAfterSeconds: env.OVERLOAD_RETRY_AFTER_SECONDS,
  }),
);
export type OverloadConfig = ConfigOf<typeof overloadConfig>;
