import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from './http.errors';
import { toProblem } from './problem.mapper';
import { PROBLEM_CONTENT_TYPE } from './problem.types';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

/**
 * Answers `error` as problem+json on the raw Node request, before Fastify has seen it (the
 * overload limiter's refusals): the same body and headers as `sendProblem`, with a request id.
 * The request body is not read; Node discards it. `extraHeaders` are added (e.g. `Server-Timing`).
 */
export function sendRawProblem(req: IncomingMessage, res: ServerResponse, error: ApiError, extraHeaders: Readonly<Record<string, string>> = {}): void {
  const requestId = requestIdFrom(req);
  const mapped = toProblem(error, { instance: (req.url ?? '/').split('?')[0], requestId });
  const body = JSON.stringify(mapped.body);
  res.writeHead(mapped.body.status, {
    ...mapped.headers,
    ...extraHeaders,
    [REQUEST_ID_HEADER]: requestId,
    'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
