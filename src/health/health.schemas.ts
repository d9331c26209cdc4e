import type { HealthCheckResult } from '@nestjs/terminus';
import { z } from 'zod';
import { describes } from '../http';
import type { ReadinessReport } from './readiness.service';

/** Each indicator's result by name: `{ "redis": { "status": "up", "latencyMs": 1 } }` (the indicators add their own members). */
const indicatorResults = z.record(z.string(), z.looseObject({ status: z.enum(['up', 'down']) }));

/** The body of `/health/live` and `/health/startup` (terminus' shape), for the OpenAPI document. */
export const healthCheckSchema = describes<HealthCheckResult>()(
  z
    .strictObject({
      status: z.enum(['ok', 'error', 'shutting_down']),
      info: indicatorResults.optional(),
      error: indicatorResults.optional(),
      details: indicatorResults,
    })
    .meta({ id: 'HealthCheck' }),
);

/** The body of `/health/ready`: terminus' shape plus the `degraded` status. */
export const readinessSchema = describes<ReadinessReport>()(
  z
    .strictObject({
      status: z.enum(['ok', 'degraded', 'error', 'shutting_down']).describe('`degraded`: a dependency the pod can do without is down; still ready (200).'),
      info: indicatorResults,
      error: indicatorResults,
      details: indicatorResults,
    })
    .meta({ id: 'Readiness' }),
);
