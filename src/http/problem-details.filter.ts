import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { MethodNotAllowedError } from './http.errors';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toProblem } from './problem.mapper';
import { PROBLEM_CONTENT_TYPE } from './problem.types';
import { REQUEST_ID_HEADER } from './request-id';
import type { RouteMethods } from './route-methods';

const logger = new Logger('ProblemDetails');

/**
 * The one global filter: every error from a controller, a guard, Nest's
 * router or Fastify's body parser leaves as `application/problem+json`.
 * Unexpected errors are logged with their stack here and reach the client as
 * a bare 500 with the request id. Given the app's {@link RouteMethods}, a
 * request that matched no route but whose path exists under other methods
 * gets 405 `E_METHOD_NOT_ALLOWED` with `Allow`, not 404.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly routes?: RouteMethods) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    sendProblem(request, http.getResponse<FastifyReply>(), this.routeMiss(error, request) ?? error);
  }

  /** Nest's "no route" 404 (its not-found handler; routes themselves throw ApiErrors) as a 405 when the path has other methods. */
  private routeMiss(error: unknown, request: FastifyRequest): MethodNotAllowedError | undefined {
    if (!this.routes || !(error instanceof NotFoundException) || request.routeOptions.url !== undefined) return undefined;
    const path = (request.url ?? '/').split('?')[0];
    const allowed = this.routes.allowed(path);
    return allowed.length === 0 ? undefined : new MethodNotAllowedError(request.method, path, allowed);
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

/** Sends `error` as the problem response of `request` (nothing if a response was sent already). */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const mapped = toProblem(error, { instance: (request.url ?? '/').split('?')[0], requestId: String(request.id) });
  if (mapped.logAsError) logger.error({ err: error, requestId: request.id }, 'unhandled error');
  if (reply.sent) return;
  void reply
    .status(mapped.body.status)
    .headers({ ...mapped.headers, [REQUEST_ID_HEADER]: String(request.id) })
    .type(PROBLEM_CONTENT_TYPE)
    .send(mapped.body);
}
