import { z } from 'zod';
import { defineConfig, type ConfigOf } from '../config';

/** The OpenAPI document (`GET /openapi.json`) and the docs page (`GET /docs`). */
export const openapiConfig = defineConfig(
  'openapi',
  z.object({
    OPENAPI_ENABLED: z
      .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'))
      .describe('Serve GET /openapi.json and the docs page GET /docs. Unset: on, except with NODE_ENV=production.'),
  }),
  (env) => ({ enabled: env.OPENAPI_ENABLED }),
);
export type OpenApiConfig = ConfigOf<typeof openapiConfig>;

/** Whether the document and the docs page are served: `OPENAPI_ENABLED` when set, else everywhere but production. */
export function openapiEnabled(config: OpenApiConfig, nodeEnv: string): boolean {
  return config.enabled ?? nodeEnv !== 'production';
}
