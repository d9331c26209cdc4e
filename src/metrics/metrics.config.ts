import { z } from 'zod';
import { defineConfig, type ConfigOf, boolVar, intVar } from '../config';

/** Prometheus metrics (`src/metrics/`). */
export const metricsConfig = defineConfig(
  'metrics',
  z.object({
    METRICS_ENABLED: boolVar(true).describe('Collect metrics and serve GET /metrics; false installs no hook and no collector at all.'),
    METRICS_PORT: intVar(0, 0, 65535).describe(
      'Serve /metrics on this port (its own small HTTP server, same HOST) instead of the app port; 0 = on the app port.',
    ),
  }),
  (env) => ({ enabled: env.METRICS_ENABLED, port: env.METRICS_PORT }),
);
export type MetricsConfig = ConfigOf<typeof metricsConfig>;
