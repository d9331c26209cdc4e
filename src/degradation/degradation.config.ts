import { z } from 'zod';
import { switchListSchema } from './degradation.schemas';
import { defineConfig, type ConfigOf, boolVar, intVar } from '../config';

/**
 * Degradation switches and load shedding. Switch sources, highest first: runtime overrides (admin
 * API, Redis), the switches file, load shedding (non-essential features only), these env defaults,
 * each feature's declared default. Thresholds come in pairs: shedding starts when the `SHED` value
 * is passed and stops only once the lower `UNSHED` value has held for `DEGRADATION_SHED_HOLD_MS`.
 */
export const degradationConfig = defineConfig(
  'degradation',
  z.object({
    DEGRADATION_SWITCHES: switchListSchema.describe(
      'Default switch states, name=state pairs separated by commas (states: on, off, fallback), e.g. recommendations=fallback.',
    ),
    DEGRADATION_SWITCHES_FILE: z
      .string()
      .default('')
      .describe('Path of a JSON or YAML file ({"switches": {"name": "state"}}) watched for changes; it wins over DEGRADATION_SWITCHES. Empty: no file.'),
    DEGRADATION_FILE_POLL_MS: intVar(500, 50, 60_000).describe(
      'The switches file is also re-read this often (file watching misses ConfigMap symlink swaps and some editors).',
    ),
    DEGRADATION_RETRY_AFTER_SECONDS: intVar(30, 1, 3600).describe('Retry-After of the 503 a switched-off route without fallback answers.'),
    DEGRADATION_SHEDDING_ENABLED: boolVar(true).describe('Turn non-essential features to fallback automatically under load.'),
    DEGRADATION_SHED_SAMPLE_MS: intVar(250, 50, 10_000).describe(
      'Load is measured over windows of this length (event-loop delay p99, peak in-flight requests).',
    ),
    DEGRADATION_SHED_EVENT_LOOP_P99_MS: intVar(200, 1).describe("Shedding starts when a window's event-loop delay p99 passes this."),
    DEGRADATION_UNSHED_EVENT_LOOP_P99_MS: intVar(50, 1).describe(
      'Shedding may stop once the event-loop delay p99 stays at or under this (and in-flight at or under its limit).',
    ),
    DEGRADATION_SHED_IN_FLIGHT: intVar(0, 0).describe(
      'Shedding starts when more than this many HTTP requests are in flight at once (0: in-flight requests never start it).',
    ),
    DEGRADATION_UNSHED_IN_FLIGHT: intVar(0, 0).describe(
      'Shedding may stop once in-flight requests stay at or under this (0: half of DEGRADATION_SHED_IN_FLIGHT).',
    ),
    DEGRADATION_SHED_HOLD_MS: intVar(5_000, 0).describe(
      'Shedding stops only after load has stayed at or under both UNSHED thresholds this long, without a break.',
    ),
  }),
  (env) => ({
    switches: env.DEGRADATION_SWITCHES,
    file: env.DEGRADATION_SWITCHES_FILE === '' ? undefined : env.DEGRADATION_SWITCHES_FILE,
    filePollMs: env.DEGRADATION_FILE_POLL_MS,
    retryAfterSeconds: env.DEGRADATION_RETRY_AFTER_SECONDS,
    shedding: {
      enabled: env.DEGRADATION_SHEDDING_ENABLED,
      sampleMs: env.DEGRADATION_SHED_SAMPLE_MS,
      enterEventLoopP99Ms: env.DEGRADATION_SHED_EVENT_LOOP_P99_MS,
      exitEventLoopP99Ms: Math.min(env.DEGRADATION_UNSHED_EVENT_LOOP_P99_MS, env.DEGRADATION_SHED_EVENT_LOOP_P99_MS),
      enterInFlight: env.DEGRADATION_SHED_IN_FLIGHT === 0 ? Number.POSITIVE_INFINITY : env.DEGRADATION_SHED_IN_FLIGHT,
      exitInFlight:
        env.DEGRADATION_SHED_IN_FLIGHT === 0
          ? Number.POSITIVE_INFINITY
          : Math.min(env.DEGRADATION_UNSHED_IN_FLIGHT || Math.ceil(env.DEGRADATION_SHED_IN_FLIGHT / 2), env.DEGRADATION_SHED_IN_FLIGHT),
      holdMs: env.DEGRADATION_SHED_HOLD_MS,
    },
  }),
);
export type DegradationConfig = ConfigOf<typeof degradationConfig>;
