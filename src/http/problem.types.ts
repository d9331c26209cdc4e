import { z } from 'zod';
import { describes } from './route-contract';

/**
 * One problem in a request: where it is and what is wrong. `pointer` is a JSON
 * Pointer into the body (`#/price`), `parameter` names a path or query parameter.
 */
export interface FieldProblem {
  readonly detail: string;
  /** The stable code of this part's own problem, when it has one (an item of a bulk request). */
  readonly code?: string;
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

/** {@link FieldProblem} as a zod schema: what the OpenAPI document publishes (types are checked against the interface). */
export const fieldProblemSchema = describes<FieldProblem>()(
  z
    .strictObject({
      detail: z.string(),
      code: z
        .string()
        .regex(/^E_[A-Z0-9_]+$/)
        .optional()
        .describe("The stable code of this part's own problem, when it has one (an item of a bulk request)."),
      pointer: z.string().optional().describe('A JSON Pointer into the body: `#/price`.'),
      parameter: z.string().optional().describe('A path or query parameter.'),
      header: z.string().optional().describe('A request header.'),
    })
    .meta({ id: 'FieldProblem', description: 'One problem in a request: where it is and what is wrong.' }),
);

/** {@link ProblemDetails} as a zod schema (RFC 9457 with `code`, `requestId` and `errors`). */
export const problemDetailsSchema = describes<ProblemDetails>()(
  z
    .strictObject({
      type: z.string().describe('`/problems/<code in kebab case without E_>`.'),
      title: z.string(),
      status: z.int().min(400).max(599),
      detail: z.string(),
      instance: z.string().describe('The request path.'),
      code: z
        .string()
        .regex(/^E_[A-Z0-9_]+$/)
        .describe('Stable code for programs.'),
      requestId: z.string().optional().describe('The `x-request-id` of the response: quote it when asking for help.'),
      errors: z.array(fieldProblemSchema).optional(),
    })
    .meta({ id: 'Problem', description: 'Every error response: `application/problem+json` (RFC 9457).' }),
);
