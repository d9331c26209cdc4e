import { Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { loggingConfig, type LoggingConfig } from '../config/logging.config';
import { redactionPaths } from './redaction';

/** Probe and scrape paths: called every few seconds, never worth a log line each. */
const QUIET_PATHS = /^\/(health\/|metrics)/;

/**
 * Structured JSON logs through nestjs-pino: one line per request carrying the
 * request id that Fastify assigned (an incoming `x-request-id` when valid),
 * credentials and secret-like fields redacted, pretty output only when
 * `LOG_PRETTY=true`.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [loggingConfig.token],
      useFactory: (config: LoggingConfig) => ({
        pinoHttp: {
          level: config.level,
          ...(config.pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
          redact: { paths: redactionPaths(), censor: '[redacted]' },
          // Fastify already chose the id (see request-id.ts); @fastify/middie copies it onto the raw request.
          genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
          // originalUrl: @fastify/middie rewrites req.url relative to the middleware's mount path.
          autoLogging: { ignore: (req: IncomingMessage & { originalUrl?: string }) => QUIET_PATHS.test(req.originalUrl ?? req.url ?? '') },
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
            error || res.statusCode >= 500 ? 'error' : 'info',
          serializers: {
            req: (req: { id: string; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url,
              userAgent: req.headers['user-agent'],
              remoteAddress: req.remoteAddress,
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
