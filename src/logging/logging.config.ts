import { z } from 'zod';
import { defineConfig, type ConfigOf, boolVar, intVar } from '../config';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Structured (pino) logging, its per-template rate limits and access-log sampling. */
export const loggingConfig = defineConfig(
  'logging',
  z.object({
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info').describe('Lowest level written.'),
    LOG_PRETTY: boolVar(false).describe('Human-readable coloured output instead of JSON lines (development only).'),
    LOG_RATE_LIMIT_ENABLED: boolVar(true).describe(
      'Rate-limit log lines per message template and level (a token bucket each); over the limit they are dropped and counted.',
    ),
    LOG_RATE_LIMIT_WINDOW_MS: intVar(10_000, 100).describe('How often one summary line per template says how many of its lines were dropped.'),
    LOG_RATE_ERROR_PER_S: intVar(10, 1).describe('Lines per second one template may write at error level (steady rate).'),
    LOG_RATE_ERROR_BURST: intVar(20, 1).describe('Lines one template may write at once at error level before the rate applies.'),
    LOG_RATE_WARN_PER_S: intVar(10, 1).describe('The same at warn level.'),
    LOG_RATE_WARN_BURST: intVar(20, 1).describe('The same at warn level.'),
    LOG_RATE_INFO_PER_S: intVar(100, 1).describe('The same at info level (access lines included).'),
    LOG_RATE_INFO_BURST: intVar(200, 1).describe('The same at info level.'),
    LOG_RATE_DEBUG_PER_S: intVar(100, 1).describe('The same at debug and trace level.'),
    LOG_RATE_DEBUG_BURST: intVar(200, 1).describe('The same at debug and trace level.'),
    LOG_RATE_LIMIT_MAX_TEMPLATES: intVar(1000, 1).describe('Most templates tracked; lines of further templates share one bucket per level.'),
    LOG_RATE_LIMIT_ALLOW: z
      .string()
      .default('')
      .describe('Comma-separated logger contexts or message prefixes never rate-limited, on top of the built-in ones (start-up, shutdown, switch changes).'),
    LOG_ACCESS_SAMPLE_EVERY: intVar(1, 1).describe('Write the access line of 1 request in N; 5xx and 4xx other than 404 are always written.'),
  }),
  (env) => ({
    level: env.LOG_LEVEL,
    pretty: env.LOG_PRETTY,
    rateLimit: {
      enabled: env.LOG_RATE_LIMIT_ENABLED,
      windowMs: env.LOG_RATE_LIMIT_WINDOW_MS,
      maxTemplates: env.LOG_RATE_LIMIT_MAX_TEMPLATES,
      limits: {
        error: { ratePerS: env.LOG_RATE_ERROR_PER_S, burst: env.LOG_RATE_ERROR_BURST },
        warn: { ratePerS: env.LOG_RATE_WARN_PER_S, burst: env.LOG_RATE_WARN_BURST },
        info: { ratePerS: env.LOG_RATE_INFO_PER_S, burst: env.LOG_RATE_INFO_BURST },
        debug: { ratePerS: env.LOG_RATE_DEBUG_PER_S, burst: env.LOG_RATE_DEBUG_BURST },
        trace: { ratePerS: env.LOG_RATE_DEBUG_PER_S, burst: env.LOG_RATE_DEBUG_BURST },
      },
      allow: env.LOG_RATE_LIMIT_ALLOW.split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    },
    accessSampleEvery: env.LOG_ACCESS_SAMPLE_EVERY,
  }),
);
export type LoggingConfig = ConfigOf<typeof loggingConfig>;
