import { z } from 'zod';

/** Largest id the kit's id parameters accept: ids travel as JSON numbers, which are exact up to 2^53 - 1. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

const ID_PATTERN = /^[1-9][0-9]{0,15}$/;

/** What a bad id is told, in every place an id is read (paths, lists, bodies). */
export const ID_MESSAGE = `must be an integer from 1 to ${MAX_ID}`;

/** Parses one id from a path or list; `undefined` when it is not a valid id. Cheap (a regex and a compare): cache keys use it. */
export function parseIdParam(raw: string): number | undefined {
  if (!ID_PATTERN.test(raw)) return undefined;
  const id = Number(raw);
  return id <= MAX_ID ? id : undefined;
}

/** An `:id` path parameter (a string in the path, a number to the handler); `ZodValidationPipe(idParamSchema)`. */
export const idParamSchema = z
  .string()
  .meta({ pattern: ID_PATTERN.source, description: `An integer from 1 to ${MAX_ID}.`, examples: ['42'] })
  .transform((raw, ctx) => {
    const id = parseIdParam(raw);
    if (id === undefined) ctx.addIssue({ code: 'custom', message: ID_MESSAGE });
    return id ?? 0;
  });

/** An id in a JSON body (a number). */
export const idFieldSchema = z.int({ error: ID_MESSAGE }).min(1, { error: ID_MESSAGE }).max(MAX_ID, { error: ID_MESSAGE });
