import { z } from 'zod';
import { RequestValidationError, idParamSchema, pageCursorParam, pageLimitParam, parseIdParam } from '../../http';
import { AUTHOR_HEADER } from './reviews.constants';
import type { ReviewsConfig } from './reviews.config';

/** Largest review text, in characters (code points, as PostgreSQL counts them). */
export const MAX_REVIEW_TEXT = 2000;

/** Parses one review id from a path; `undefined` when it is not a valid id. */
export const parseReviewId = parseIdParam;

/** `:reviewId` path parameter. */
export const reviewIdSchema = idParamSchema;

/** The `x-author-id` header: a UUID (any case; kept in lower case). */
export const authorIdSchema = z
  .uuid({ error: 'must be a UUID such as 3f0e5b7c-8d1a-4c2e-9b6f-2a7d9e1c4b5a' })
  .transform((id) => id.toLowerCase())
  .describe('The author of the write: a UUID (authentication is the gateway’s). One review per author per product; only its author deletes a review.');

/** The author of a write from its `x-author-id` header; a missing or bad one is a 400 naming the header. */
export function parseAuthorId(header: string | undefined): string {
  const result = authorIdSchema.safeParse(header);
  if (result.success) return result.data;
  const detail = header === undefined ? 'is required' : result.error.issues[0].message;
  throw new RequestValidationError(`The ${AUTHOR_HEADER} header ${detail}.`, { errors: [{ header: AUTHOR_HEADER, detail }] });
}

// C0/C1 control characters, except line breaks and tabs.
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// Half of a UTF-16 pair on its own: JSON can carry it, UTF-8 cannot store it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function characters(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** Body of `POST /products/:id/reviews`. Unknown fields are rejected, not ignored. */
export const createReviewSchema = z.strictObject({
  rating: z
    .int({ error: 'must be an integer from 1 to 5' })
    .min(1, { error: 'must be an integer from 1 to 5' })
    .max(5, { error: 'must be an integer from 1 to 5' }),
  text: z
    .string({ error: 'must be a string' })
    .trim()
    .refine((v) => !LONE_SURROGATE.test(v), { error: 'must be valid Unicode text' })
    .refine((v) => !CONTROL_EXCEPT_WHITESPACE.test(v), { error: 'must not contain control characters' })
    .refine((v) => v.length > 0, { error: 'must not be empty' })
    .refine((v) => characters(v) <= MAX_REVIEW_TEXT, { error: `must be at most ${MAX_REVIEW_TEXT} characters` })
    .describe(`Plain text, 1 to ${MAX_REVIEW_TEXT} characters after trimming (an emoji is one); line breaks allowed.`),
});
export type CreateReviewDto = z.output<typeof createReviewSchema>;

/** A page request: `limit` reviews older than review `beforeId` (0: from the newest). */
export interface ReviewPageQuery {
  readonly limit: number;
  readonly beforeId: number;
}

/** Query of `GET /products/:id/reviews`, bounded by the feature config. */
export function reviewPageQuerySchema(config: ReviewsConfig) {
  return z
    .strictObject({
      limit: pageLimitParam(config.pageLimitMax, config.pageLimitDefault),
      cursor: pageCursorParam,
    })
    .transform((query, ctx): ReviewPageQuery => {
      const beforeId = query.cursor === undefined ? 0 : decodeReviewCursor(query.cursor);
      if (beforeId === undefined) {
        ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'is not a cursor this API returned' });
        return z.NEVER;
      }
      return { limit: query.limit ?? config.pageLimitDefault, beforeId };
    });
}

/** Cursors are opaque to clients: base64url of the last (oldest) review id of the previous page. */
export function encodeReviewCursor(lastId: number): string {
  return Buffer.from(`r:${lastId}`).toString('base64url');
}

function decodeReviewCursor(cursor: string): number | undefined {
  const match = /^r:([0-9]{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? parseReviewId(match[1]) : undefined;
}
