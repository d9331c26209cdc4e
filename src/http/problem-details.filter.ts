import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toProblem } from './problem.mapper';
import { PROBLEM_CONTENT_TYPE } from './problem.types';
import { REQUEST_ID_HEADER } from './request-id';

const logger = new Logger('ProblemDetails');

/**
 * The one global filter: every error from a controller, a guard, Nest's
 * router or Fastify's body parser leaves as `application/problem+json`.
 * Unexpected errors are logged with their stack here and reach the client as
 * a bare 500 with the request id.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), error);
  }
}

/**
 * Fastify's `frameworkErrors` hook: errors Fastify raises before any route or
 * Nest filter runs (a malformed URL, an over-long path parameter) get the
 * same problem body.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendProblem(request, reply, new HttpException(error.message, error.statusCode ?? 400));
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const mapped = toProblem(error, { instance: (request.url ?? '/').split('?')[0]!, requestId: String(request.id) });
  if (mapped.logAsError) logger.error({ err: error, requestId: request.id }, 'unhandled error');
  if (reply.sent) return;
  void reply
    .status(mapped.body.status)
    .headers({ ...mapped.headers, [REQUEST_ID_HEADER]: String(request.id) })
    .type(PROBLEM_CONTENT_TYPE)
    .send(mapped.body);
}
