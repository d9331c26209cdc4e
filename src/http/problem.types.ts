/**
 * One problem in a request: where it is and what is wrong. `pointer` is a JSON
 * Pointer into the body (`#/price`), `parameter` names a path or query parameter.
 */
export interface FieldProblem {
  readonly detail: string;
  readonly pointer?: string;
  readonly parameter?: string;
  readonly header?: string;
}

/**
 * The body of every error response (`application/problem+json`, RFC 9457).
 * `type` is a stable URI reference per kind of problem (`/problems/<code>`),
 * `code` the same stable code for programs, `requestId` the id to quote when
 * asking for help.
 */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly code: string;
  readonly requestId?: string;
  readonly errors?: readonly FieldProblem[];
}

/** The media type of error responses. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
