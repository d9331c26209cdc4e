import { z } from 'zod';
import { ID_MESSAGE, MAX_ID, RequestValidationError, idFieldSchema, idParamSchema, pageCursorParam, pageLimitParam, parseIdParam } from '../../http';
import type { CatalogConfig } from './catalog.config';

/** Largest version a product can reach: the column is a PostgreSQL `integer`. */
export const MAX_PRODUCT_VERSION = 2_147_483_647;

/** Largest id the API accepts (the kit's {@link MAX_ID}). */
export const MAX_PRODUCT_ID = MAX_ID;

/** Parses one id from a path or list; `undefined` when it is not a valid id. */
export const parseId = parseIdParam;

/** `:id` path parameter. */
export const productIdSchema = idParamSchema;

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
// C0/C1 control characters; a name or tag is one line of plain text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Line breaks and tabs are fine in a description, other controls are not.
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

// Half of a UTF-16 pair on its own: JSON can carry it ("\ud800"), UTF-8 cannot store it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Length in characters (code points), as PostgreSQL counts it: an emoji is one. */
function characters(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * One line of plain text: well-formed Unicode, no control characters, no
 * markup (`<` or `>`: these fields are shown in pages and must not carry
 * script), trimmed, between `min` and `max` characters.
 */
function plainText(min: number, max: number) {
  return z
    .string()
    .trim()
    .refine((v) => !LONE_SURROGATE.test(v), { error: 'must be valid Unicode text' })
    .refine((v) => !CONTROL.test(v), { error: 'must not contain control characters' })
    .refine((v) => !/[<>]/.test(v), { error: 'must not contain < or >' })
    .refine((v) => characters(v) >= min, { error: min === 1 ? 'must not be empty' : `must be at least ${min} characters` })
    .refine((v) => characters(v) <= max, { error: `must be at most ${max} characters` })
    .describe(`One line of plain text, ${min} to ${max} characters (an emoji is one) after trimming: no control characters, no < or >.`);
}

const productFields = {
  sku: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit' }),
  name: plainText(1, 200),
  description: z
    .string()
    .refine((v) => !LONE_SURROGATE.test(v), { error: 'must be valid Unicode text' })
    .refine((v) => !CONTROL_EXCEPT_WHITESPACE.test(v), { error: 'must not contain control characters' })
    .refine((v) => characters(v) <= 4000, { error: 'must be at most 4000 characters' })
    .default('')
    .describe('Plain text up to 4000 characters; line breaks and tabs allowed, other control characters not.'),
  priceMinor: z.int({ error: 'must be an integer number of minor units (cents)' }).min(0, { error: 'must not be negative' }),
  currency: z
    .string()
    .refine((v) => CURRENCIES.has(v), { error: 'must be an ISO 4217 currency code such as EUR' })
    .describe('An ISO 4217 currency code such as EUR.'),
  stock: z
    .int({ error: 'must be an integer' })
    .min(0, { error: 'must not be negative' })
    .max(2_147_483_647, { error: 'must be at most 2147483647' })
    .default(0),
  tags: z
    .array(plainText(1, 32))
    .max(20, { error: 'must have at most 20 tags' })
    .refine((tags) => new Set(tags).size === tags.length, { error: 'must not repeat a tag' })
    .default([])
    .describe('Up to 20 distinct tags.'),
};

/** Body of `POST /products`. Unknown fields are rejected, not ignored. */
export const createProductSchema = z.strictObject(productFields);
export type CreateProductDto = z.output<typeof createProductSchema>;

/**
 * Body of `PUT /products/:id`: the full new state. `version`, when given,
 * is the version the client read (the same precondition as `If-Match`).
 */
const versionField = z
  .int({ error: 'must be an integer' })
  .min(1, { error: 'must be at least 1' })
  .max(MAX_PRODUCT_VERSION, { error: `must be at most ${MAX_PRODUCT_VERSION}` })
  .optional();

export const replaceProductSchema = z.strictObject({ ...productFields, version: versionField });
export type ReplaceProductDto = z.output<typeof replaceProductSchema>;

/** One item of `POST /products/bulk`: a create, a replace or a delete; `version` is the item's own precondition. */
const bulkItemSchema = z.discriminatedUnion(
  'op',
  [
    z.strictObject({ op: z.literal('create'), product: createProductSchema }),
    z.strictObject({
      op: z.literal('replace'),
      id: idFieldSchema,
      version: versionField.describe('The version the client read: the item is refused with 409 when it is no longer current.'),
      product: createProductSchema,
    }),
    z.strictObject({
      op: z.literal('delete'),
      id: idFieldSchema,
      version: versionField.describe('The version the client read: the item is refused with 409 when it is no longer current.'),
    }),
  ],
  { error: 'must have op "create", "replace" or "delete"' },
);
export type BulkWriteItem = z.output<typeof bulkItemSchema>;

/** Body of `POST /products/bulk`, bounded by CATALOG_BULK_MAX_ITEMS. */
export function bulkWriteSchema(config: CatalogConfig) {
  return z.strictObject({
    items: z
      .array(bulkItemSchema)
      .min(1, { error: 'must hold at least one item' })
      .max(config.bulkMaxItems, { error: `must hold at most ${config.bulkMaxItems} items` })
      .describe(`Up to ${config.bulkMaxItems} creates, replaces and deletes, answered in this order.`),
  });
}
export type BulkWriteDto = z.output<ReturnType<typeof bulkWriteSchema>>;

/** Query of `POST /products/bulk`: `atomic=true` makes the request all or nothing. */
export const bulkWriteQuerySchema = z.strictObject({
  atomic: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .transform((value) => value === 'true')
    .describe('`true`: all or nothing; one refused item refuses the request (409 E_BULK_REFUSED) and nothing is written.'),
});

/** `GET /products` is either a batch lookup by ids or a page of the catalog. */
export type ProductQuery =
  { readonly kind: 'batch'; readonly ids: readonly number[] } | { readonly kind: 'page'; readonly limit: number; readonly afterId: number };

/** Query of `GET /products`, bounded by the catalog config. */
export function productQuerySchema(config: CatalogConfig) {
  return z
    .strictObject({
      ids: z
        .string({ error: 'must be given once, as a comma-separated list' })
        .optional()
        .describe(`Up to ${config.batchMaxIds} comma-separated ids (a batch lookup); not with limit or cursor.`),
      limit: pageLimitParam(config.pageLimitMax, config.pageLimitDefault),
      cursor: pageCursorParam,
    })
    .transform((query, ctx): ProductQuery => {
      if (query.ids !== undefined) {
        if (query.limit !== undefined || query.cursor !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['ids'], message: 'cannot be combined with limit or cursor' });
          return z.NEVER;
        }
        return { kind: 'batch', ids: parseIdList(query.ids, config.batchMaxIds, ctx) };
      }
      const afterId = query.cursor === undefined ? 0 : decodeCursor(query.cursor);
      if (afterId === undefined) {
        ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'is not a cursor this API returned' });
        return z.NEVER;
      }
      return { kind: 'page', limit: query.limit ?? config.pageLimitDefault, afterId };
    });
}

/** `"3,1,3"` → `[3, 1]`: duplicates folded, first-seen order kept, every bad element reported. */
function parseIdList(raw: string, maxIds: number, ctx: z.RefinementCtx): number[] {
  if (raw.trim() === '') {
    ctx.addIssue({ code: 'custom', path: ['ids'], message: 'must list at least one id' });
    return [];
  }
  const parts = raw.split(',');
  if (parts.length > maxIds) {
    ctx.addIssue({ code: 'custom', path: ['ids'], message: `must list at most ${maxIds} ids (got ${parts.length})` });
    return [];
  }
  const ids = new Set<number>();
  parts.forEach((part, index) => {
    const id = parseId(part.trim());
    if (id === undefined) {
      const what = part.trim() === '' ? 'is empty' : ID_MESSAGE;
      ctx.addIssue({ code: 'custom', path: ['ids'], message: `element ${index + 1} ${what}` });
    } else {
      ids.add(id);
    }
  });
  return [...ids];
}

/** Cursors are opaque to clients: base64url of the last id of the previous page. */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`p:${lastId}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^p:([0-9]{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? parseId(match[1]) : undefined;
}

/**
 * An `If-Match` header as a version: `"3"` (the strong ETag this API issues)
 * or a bare `3`; `*` (any current version) and absence mean unconditional
 * (`undefined`); anything else, weak ETags included (If-Match compares
 * strongly), is `null`: not a version this API issued.
 */
export function parseIfMatch(header: string | undefined): number | undefined | null {
  const parsed = ifMatchSchema.safeParse(header);
  if (!parsed.success) return null;
  if (parsed.data === undefined || parsed.data === '*') return undefined;
  const version = Number(parsed.data.replaceAll('"', ''));
  return version <= MAX_PRODUCT_VERSION ? version : null;
}

/** The `If-Match` header of a write, as {@link parseIfMatch} reads it and the OpenAPI document publishes it. */
export const ifMatchSchema = z
  .string()
  .trim()
  .regex(/^(?:\*|"[1-9][0-9]{0,9}"|[1-9][0-9]{0,9})$/)
  .optional()
  .describe(
    `The version the client read: the strong ETag \`"3"\` (or a bare \`3\`, up to ${MAX_PRODUCT_VERSION}); \`*\` or absent: unconditional. 409 when stale.`,
  );

/** The ETag of a product version. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version a write is conditional on, from `If-Match` and/or the body's
 * `version`; `undefined` for an unconditional write.
 */
export function expectedVersion(ifMatch: string | undefined, bodyVersion: number | undefined): number | undefined {
  const fromHeader = parseIfMatch(ifMatch);
  if (fromHeader === null) {
    throw new RequestValidationError('The If-Match header is not an ETag this API issued.', {
      errors: [{ header: 'if-match', detail: 'must be an ETag such as "3"' }],
    });
  }
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw new RequestValidationError('If-Match and the body version disagree.', {
      errors: [{ header: 'if-match', detail: `names version ${fromHeader} but the body names ${bodyVersion}` }],
    });
  }
  return fromHeader ?? bodyVersion;
}
