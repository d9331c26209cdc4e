import { z } from 'zod';
import { idParamSchema, pageCursorParam, pageLimitParam, parseIdParam } from '../../http';
import type { {{Name}}Config } from './{{name}}.config';

/** Parses one id from a path; `undefined` when it is not a valid id. Cheap (a regex and a compare): the cache key uses it. */
export const parse{{Thing}}Id = parseIdParam;

/** `:id` path parameter. */
export const {{thingCamel}}IdSchema = idParamSchema;

// #if writeBehind

// C0/C1 control characters: a name is one line of plain text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Body of `POST /{{name}}` and `PUT /{{name}}/:id`. Unknown fields are rejected, not ignored. */
export const {{thingCamel}}BodySchema = z.strictObject({
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(200, { error: 'must be at most 200 characters' })
    .refine((v) => !CONTROL.test(v), { error: 'must not contain control characters' })
    .describe('One line of plain text, 1 to 200 characters after trimming.'),
});
export type {{Thing}}Body = z.output<typeof {{thingCamel}}BodySchema>;
// #endif

/** A page request: `limit` rows after id `afterId`. */
export interface {{Thing}}PageQuery {
  readonly limit: number;
  readonly afterId: number;
}

/** Query of `GET /{{name}}`, bounded by the feature config. */
export function {{thingCamel}}PageQuerySchema(config: {{Name}}Config) {
  return z
    .strictObject({
      limit: pageLimitParam(config.pageLimitMax, config.pageLimitDefault),
      cursor: pageCursorParam,
    })
    .transform((query, ctx): {{Thing}}PageQuery => {
      const afterId = query.cursor === undefined ? 0 : decode{{Thing}}Cursor(query.cursor);
      if (afterId === undefined) {
        ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'is not a cursor this API returned' });
        return z.NEVER;
      }
      return { limit: query.limit ?? config.pageLimitDefault, afterId };
    });
}

/** Cursors are opaque to clients: base64url of the last id of the previous page. */
export function encode{{Thing}}Cursor(lastId: number): string {
  return Buffer.from(`p:${lastId}`).toString('base64url');
}

function decode{{Thing}}Cursor(cursor: string): number | undefined {
  const match = /^p:([0-9]{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? parse{{Thing}}Id(match[1]) : undefined;
}
