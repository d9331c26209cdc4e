import { z } from 'zod';
import { defineConfig, type ConfigOf } from './config.types';
import { boolVar } from './env.schemas';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Structured (pino) logging. */
export const loggingConfig = defineConfig(
  'logging',
  z.object({
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info').describe('Lowest level written.'),
    LOG_PRETTY: boolVar(false).describe('Human-readable coloured output instead of JSON lines (development only).'),
  }),
  (env) => ({ level: env.LOG_LEVEL, pretty: env.LOG_PRETTY }),
);
export type LoggingConfig = ConfigOf<typeof loggingConfig>;
