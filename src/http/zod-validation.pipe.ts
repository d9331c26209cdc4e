import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { RequestValidationError } from './http.errors';
import type { FieldProblem } from './problem.types';

/**
 * Validates and converts one request part (body, a param, the query) with a zod
 * schema. Every problem is listed in the 400's `errors[]`: JSON Pointers for
 * the body, parameter names for path and query.
 *
 * @example `@Param('id', new ZodValidationPipe(productIdSchema)) id: number`
 */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  /** @param schema read by the OpenAPI document too: the schema that validates is the one documented. */
  constructor(readonly schema: S) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const errors = result.error.issues.flatMap((issue) => toFieldProblems(issue, metadata));
    const summary = errors.length === 1 ? `${where(errors[0])} ${errors[0].detail}` : `${errors.length} problems, listed in errors`;
    throw new RequestValidationError(`The request is invalid: ${summary}.`, { errors });
  }
}

function toFieldProblems(issue: z.core.$ZodIssue, metadata: ArgumentMetadata): FieldProblem[] {
  const path = issue.path.map(String);
  // One problem per unknown field, each pointing at the field itself.
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => locate([...path, key], metadata, 'is not an accepted field'));
  }
  return [locate(path, metadata, issue.message)];
}

function locate(path: readonly string[], metadata: ArgumentMetadata, detail: string): FieldProblem {
  if (metadata.type === 'body') {
    return { pointer: `#${path.map((segment) => `/${escapePointer(segment)}`).join('')}`, detail };
  }
  // A schema for one param (`@Param('id', pipe)`) has an empty path: name it by `data`.
  const parameter = [metadata.data, ...path].filter((p) => p !== undefined && p !== '').join('.');
  return { parameter: parameter || metadata.type, detail };
}

/** A short name for where a problem is: `price`, `tags/2`, `the body`, `id`. */
function where(problem: FieldProblem): string {
  if (problem.pointer !== undefined) return problem.pointer === '#' ? 'the body' : problem.pointer.slice(2);
  return problem.parameter ?? problem.header ?? 'the request';
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
