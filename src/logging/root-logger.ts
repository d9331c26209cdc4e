import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { LoggingConfig } from './logging.config';
import { LogRateLimiter, type LimitedLevel } from './log-rate-limiter';
import { redactSecrets } from './redaction';

/** The app's root pino logger, with its rate limiter when enabled. */
export interface RootLogger {
  readonly logger: Logger;
  readonly limiter?: LogRateLimiter;
  /** Writes one summary line per template that lost lines since the last call (nothing when none did). */
  flushSummaries(): void;
}

/** Options of {@link createRootLogger} for tests: a destination and a clock. */
export interface RootLoggerOverrides {
  readonly stream?: DestinationStream;
  readonly now?: () => number;
}

const LEVEL_NAMES: Readonly<Record<number, LimitedLevel | 'fatal'>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * Builds the root pino logger every other one descends from (pino-http's and
 * Nest's included): level, redaction of secret-named fields, pretty output, and, when
 * `LOG_RATE_LIMIT_ENABLED`, pino's `hooks.logMethod` that asks the
 * {@link LogRateLimiter} about every line of an enabled level before it is
 * formatted. Children inherit the hook, so every existing
 * `Logger.warn/error` call is covered without touching it.
 *
 * A line's template is its message string before interpolation (the first
 * string argument), else `msg`, else the logged error's message; its
 * context is Nest's logger context. Message strings built with `${…}` make
 * one template per distinct value: `maxTemplates` bounds them.
 */
export function createRootLogger(config: LoggingConfig, overrides: RootLoggerOverrides = {}): RootLogger {
  const options: LoggerOptions = {
    level: config.level,
    // Redaction of written lines only (see redaction.ts), not pino's `redact`, which also walks every child's bindings.
    formatters: { log: (object) => redactSecrets(object) },
    ...(config.pretty && !overrides.stream ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
  };
  if (!config.rateLimit.enabled) {
    const logger = overrides.stream ? pino(options, overrides.stream) : pino(options);
    return { logger, flushSummaries: () => undefined };
  }
  const limiter = new LogRateLimiter({ ...config.rateLimit, now: overrides.now });
  let summarising = false;
  options.hooks = {
    logMethod(args, method, level) {
      const name = LEVEL_NAMES[level];
      if (summarising || name === undefined || name === 'fatal') return method.apply(this, args);
      const [context, template] = templateOf(args);
      if (limiter.admit(name, context, template)) method.apply(this, args);
    },
  };
  const logger = overrides.stream ? pino(options, overrides.stream) : pino(options);
  return {
    logger,
    limiter,
    flushSummaries: () => {
      const lost = limiter.takeSuppressed();
      if (lost.length === 0) return;
      summarising = true;
      try {
        for (const { level, context, template, suppressed } of lost) {
          logger[level](
            { context: 'LogRateLimit', suppressed, template, templateContext: context || undefined },
            `suppressed ${suppressed} lines of "${template}"`,
          );
        }
      } finally {
        summarising = false;
      }
    },
  };
}

/** `[context, template]` of a pino call's arguments. */
function templateOf(args: unknown[]): [string, string] {
  const first = args[0];
  if (typeof first === 'string') return ['', first];
  if (first === null || typeof first !== 'object') return ['', String(first)];
  const object = first as { context?: unknown; msg?: unknown; err?: unknown; message?: unknown };
  const context = typeof object.context === 'string' ? object.context : '';
  if (typeof args[1] === 'string') return [context, args[1]];
  if (typeof object.msg === 'string') return [context, object.msg];
  if (object.err instanceof Error) return [context, object.err.message];
  if (first instanceof Error) return [context, first.message];
  return [context, ''];
}
