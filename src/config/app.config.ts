import { z } from 'zod';
import { defineConfig, type ConfigOf } from './config.types';
import { intVar } from './env.schemas';

/** What this process runs: the HTTP API, the background workers, or both. */
export const APP_ROLES = ['api', 'worker', 'all'] as const;
export type AppRole = (typeof APP_ROLES)[number];

/** Process-wide settings: environment, role, HTTP listener. */
export const appConfig = defineConfig(
  'app',
  z.object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('Runtime environment.'),
    APP_ROLE: z.enum(APP_ROLES).default('all').describe('What this process runs: api (HTTP), worker (queue consumers, health only over HTTP) or all.'),
    HOST: z.string().min(1).default('0.0.0.0').describe('Address the HTTP server binds to.'),
    PORT: intVar(3000, 0, 65535).describe('HTTP port (0 picks a free one).'),
    HTTP_BODY_LIMIT_BYTES: intVar(1_048_576, 1024, 100 * 1_048_576).describe('Largest request body accepted; larger ones get 413.'),
    APP_PROCESS_INDEX: z
      .preprocess((value) => (value === '' ? undefined : value), z.coerce.number().int().min(0).optional())
      .describe('Set by the APP_PROCESSES primary on each app process it forks (0 … N-1; its metrics label `process`). Do not set it yourself.'),
  }),
  (env) => ({
    nodeEnv: env.NODE_ENV,
    role: env.APP_ROLE,
    host: env.HOST,
    port: env.PORT,
    bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
    processIndex: env.APP_PROCESS_INDEX,
  }),
);
export type AppConfig = ConfigOf<typeof appConfig>;
