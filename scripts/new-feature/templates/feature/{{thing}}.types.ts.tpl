import { z } from 'zod';
import { describes } from '../../http';

/** One {{thing}} as the API returns it. */
export interface {{Thing}} {
  readonly id: number;
  readonly name: string;
  /** Bumped on every change. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The fields a client sets (on create) and replaces (on update). */
export interface {{Thing}}Input {
  readonly name: string;
}
// #if writeBehind

/** What a write of a {{thing}} records and flushes: its fields and when it changed (id, version and createdAt travel beside it). */
export interface {{Thing}}State extends {{Thing}}Input {
  readonly updatedAt: string;
}
// #endif

/** `GET /{{name}}?limit=&cursor=`: one page in id order; `nextCursor` is null on the last page. */
export interface {{Thing}}Page {
  readonly items: readonly {{Thing}}[];
  readonly nextCursor: string | null;
}

// Response schemas: what the OpenAPI document publishes; `describes` keeps each one true to its interface.
const safeId = z.int().min(1).max(Number.MAX_SAFE_INTEGER);

/** {@link {{Thing}}} as the OpenAPI document publishes it. */
export const {{thingCamel}}Schema = describes<{{Thing}}>()(
  z
    .strictObject({
      id: safeId,
      name: z.string(),
      version: z.int().min(1).describe('Bumped on every change.'),
      createdAt: z.iso.datetime(),
      updatedAt: z.iso.datetime(),
    })
    .meta({ id: '{{Thing}}' }),
);

/** {@link {{Thing}}Page} as the OpenAPI document publishes it. */
export const {{thingCamel}}PageSchema = describes<{{Thing}}Page>()(
  z
    .strictObject({
      items: z.array({{thingCamel}}Schema),
      nextCursor: z.string().nullable().describe('`cursor` of the next page; null on the last page.'),
    })
    .meta({ id: '{{Thing}}Page' }),
);
