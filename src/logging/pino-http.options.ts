import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import type { LoggingConfig } from './logging.config';
import { AccessRequest, accessLogLevel, serializeAccessRequest } from './access-log';
import type { RootLogger } from './root-logger';

/** Probe and scrape paths: called every few seconds, never worth a log line each. */
const QUIET_PATHS = /^\/(health\/|metrics)/;

/**
 * pino-http's options on the app's root logger: one access line per request
 * (sampled, see `accessLogLevel`), every line of a request carrying its id as
 * `reqId`, and as little work as possible per request when nothing is written.
 */
export function pinoHttpOptions(root: RootLogger, config: LoggingConfig): Options {
  return {
    logger: root.logger,
    // Fastify already chose the id (see request-id.ts); @fastify/middie copies it onto the raw request.
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
    // pino-http binds the raw request to one child logger per request, whatever the level: under the key
    // `reqId`, serialised to the id alone, it is the request id of every line of the request (errors
    // included) at the cost of one short string. The access line adds the request itself (access-log.ts).
    customAttributeKeys: { req: 'reqId' },
    wrapSerializers: false,
    serializers: {
      reqId: (req: IncomingMessage & { id?: string }) => req.id,
      req: serializeAccessRequest,
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customSuccessObject: (req: IncomingMessage, _res: ServerResponse, value: object) => ({ ...value, req: AccessRequest.of(req) }),
    // No `err` on access lines: pino-http makes up one with a stack trace for every 5xx; the status says it, and
    // unexpected errors are logged with their request id where they are handled (problem-details.filter.ts).
    customErrorObject: (req: IncomingMessage, _res: ServerResponse, _error: Error, { err: _err, ...value }: { err?: unknown }) => ({
      ...value,
      req: AccessRequest.of(req),
    }),
    // originalUrl: @fastify/middie rewrites req.url relative to the middleware's mount path.
    autoLogging: { ignore: (req: IncomingMessage & { originalUrl?: string }) => QUIET_PATHS.test(req.originalUrl ?? req.url ?? '') },
    customLogLevel: accessLogLevel(config.accessSampleEvery, (level) => root.logger.isLevelEnabled(level)),
  };
}
