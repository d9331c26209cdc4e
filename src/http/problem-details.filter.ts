import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toProblem } from './problem.mapper';
import { PROBLEM_CONTENT_TYPE } from './problem.types';

/**
 * The one global filter: every error, from a controller, a guard, Nest's
 * router or Fastify's body parser, leaves as `application/problem+json`.
 * Unexpected errors are logged with their stack here and reach the client as
 * a bare 500 with the request id.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = toProblem(error, { instance: request.url.split('?')[0] ?? '/', requestId: String(request.id) });
    if (mapped.logAsError) {
      this.logger.error({ err: error, requestId: request.id }, 'unhandled error');
    }
    if (reply.sent) return;
    void reply.status(mapped.body.status).headers(mapped.headers).type(PROBLEM_CONTENT_TYPE).send(mapped.body);
  }
}
