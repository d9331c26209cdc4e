import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { ApiError } from './http.errors';
import type { ProblemDetails } from './problem.types';

/** A problem response ready to send, and whether the error deserves a server-side log line. */
export interface MappedProblem {
  readonly body: ProblemDetails;
  readonly headers: Readonly<Record<string, string>>;
  /** True for 5xx from unexpected errors: the cause is logged, never sent. */
  readonly logAsError: boolean;
}

/** Where the error happened, for `instance` and `requestId`. */
export interface ProblemContext {
  readonly instance: string;
  readonly requestId?: string;
}

/** Stable codes for HTTP errors raised by Nest or Fastify themselves (routing, body parsing). */
const CODES_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'E_BAD_REQUEST',
  404: 'E_NOT_FOUND',
  405: 'E_METHOD_NOT_ALLOWED',
  406: 'E_NOT_ACCEPTABLE',
  413: 'E_PAYLOAD_TOO_LARGE',
  414: 'E_URI_TOO_LONG',
  415: 'E_UNSUPPORTED_MEDIA_TYPE',
  431: 'E_HEADERS_TOO_LARGE',
};

/**
 * Maps any thrown value to one problem response. {@link ApiError}s keep their
 * code and detail; HTTP errors from the framework keep their status and a safe
 * message; everything else is a 500 whose detail says nothing about the cause.
 */
export function toProblem(error: unknown, context: ProblemContext): MappedProblem {
  if (error instanceof ApiError) {
    return {
      body: problem(error.status, error.code, error.title, error.message, context, error.errors),
      headers: error.headers ?? {},
      logAsError: error.status >= 500 && error.status !== 503,
    };
  }
  if (error instanceof HttpException && error.getStatus() < 500) {
    const status = error.getStatus();
    const code = CODES_BY_STATUS[status] ?? `E_HTTP_${status}`;
    return { body: problem(status, code, statusTitle(status), frameworkDetail(status, error), context), headers: {}, logAsError: false };
  }
  const status = error instanceof HttpException ? error.getStatus() : 500;
  return {
    body: problem(status, 'E_INTERNAL', statusTitle(status), 'An unexpected error occurred. Quote the requestId when reporting it.', context),
    headers: {},
    logAsError: true,
  };
}

function problem(status: number, code: string, title: string, detail: string, context: ProblemContext, errors?: ProblemDetails['errors']): ProblemDetails {
  return {
    type: `/problems/${code.slice(2).toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    detail,
    instance: context.instance,
    code,
    ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    ...(errors === undefined ? {} : { errors }),
  };
}

function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/**
 * Detail for 4xx raised by Nest routing or Fastify body parsing. Their messages
 * are about the request itself ("Cannot GET /x", "Unexpected token"), never
 * server internals, but a few get a clearer sentence.
 */
function frameworkDetail(status: number, error: HttpException): string {
  if (status === 413) return 'The request body is larger than this server accepts.';
  if (status === 415) return 'The request body must be application/json.';
  const message = error.message;
  if (status === 400 && /JSON/i.test(message)) return `The request body is not valid JSON: ${message}`;
  return message || statusTitle(status);
}
