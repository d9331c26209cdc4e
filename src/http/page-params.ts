import { z } from 'zod';

/** `?limit=` of a keyset page: an integer from 1 to `max` (absent: the route's default). */
export function pageLimitParam(max: number, defaultLimit: number) {
  const message = `must be an integer from 1 to ${max}`;
  return z
    .string({ error: 'must be given once' })
    .regex(/^[0-9]{1,4}$/, { error: message })
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, { error: message })
    .optional()
    .describe(`Page size, 1 to ${max} (default ${defaultLimit}).`);
}

/** `?cursor=` of a keyset page: the previous page's `nextCursor`, decoded by the route. */
export const pageCursorParam = z.string({ error: 'must be given once' }).optional().describe('`nextCursor` of the previous page.');
