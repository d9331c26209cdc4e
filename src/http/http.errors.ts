import type { FieldProblem } from './problem.types';

/** What an {@link ApiError} needs beyond its message. */
export interface ApiErrorOptions {
  readonly errors?: readonly FieldProblem[];
  /** Response headers, e.g. `Retry-After` on a 503. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/**
 * Base of every error that maps to an HTTP problem response. Capabilities and
 * features subclass it in their own `*.errors.ts` with a stable `code`; the
 * global filter turns it into `application/problem+json`. The message is the
 * problem's `detail` and is shown to clients: never put SQL, stack traces or
 * secrets in it (put the low-level error in `cause`, which is only logged).
 */
export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  abstract readonly title: string;
  readonly errors?: readonly FieldProblem[];
  readonly headers?: Readonly<Record<string, string>>;

  constructor(detail: string, options: ApiErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}

/** 400: the request is malformed or a value is out of range; `errors` says where. */
export class RequestValidationError extends ApiError {
  readonly status = 400;
  readonly code = 'E_VALIDATION';
  readonly title = 'Invalid request';
}

/** 404: no such resource. */
export class ResourceNotFoundError extends ApiError {
  readonly status = 404;
  readonly code = 'E_NOT_FOUND';
  readonly title = 'Not found';
}

/** 405: the path exists, but not for this method; `Allow` lists the methods it has. */
export class MethodNotAllowedError extends ApiError {
  readonly status = 405;
  readonly code = 'E_METHOD_NOT_ALLOWED';
  readonly title = 'Method not allowed';

  constructor(method: string, path: string, allowed: readonly string[]) {
    super(`${path} does not accept ${method}; it accepts ${allowed.join(', ')}.`, { headers: { allow: allowed.join(', ') } });
  }
}

/** 409: the request conflicts with the current state (duplicate key, stale version). */
export class ConflictError extends ApiError {
  readonly status = 409;
  readonly code: string = 'E_CONFLICT';
  readonly title = 'Conflict';
}

/** 503: a dependency this request needs is unavailable; `Retry-After` says when to try again. */
export class DependencyUnavailableError extends ApiError {
  readonly status = 503;
  readonly code = 'E_DEPENDENCY_UNAVAILABLE';
  readonly title = 'Service unavailable';

  constructor(detail: string, options: ApiErrorOptions & { retryAfterSeconds?: number } = {}) {
    super(detail, { ...options, headers: { 'retry-after': String(options.retryAfterSeconds ?? 1), ...options.headers } });
  }
}
