import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as plain data. */
export type JsonSchema = Record<string, unknown>;

/** Where the components of the document live. */
const COMPONENTS = '#/components/schemas/';

/**
 * Turns zod schemas into the JSON Schemas of one OpenAPI document with zod's own `z.toJSONSchema`.
 * A sub-schema named with `.meta({ id: 'Product' })` becomes `components.schemas.Product`, and
 * every use of it a `$ref`; the same name for two different schemas is refused (an input side that
 * differs from its output side, through a default, needs its own name). Request schemas are read
 * on their input side (what a client sends, before transforms and defaults), responses on their
 * output side. Refinements and transforms have no JSON Schema: what they check is left to the
 * schema's `description`.
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
    const { $schema: _dialect, $defs, ...rest } = json;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) this.add(id, relink(def) as JsonSchema);
    return relink(rest) as JsonSchema;
  }

  /** Adds a schema under `id` (the Problem shape); the same id must always mean the same schema. */
  add(id: string, schema: JsonSchema): void {
    const known = this.schemas[id];
    if (known !== undefined && !isDeepStrictEqual(known, schema)) {
      throw new Error(`OpenAPI: two different schemas are named "${id}" (an input and an output side differ?): give one of them its own meta({ id })`);
    }
    this.schemas[id] = schema;
  }

  /** `{ $ref }` to a component. */
  static ref(id: string): JsonSchema {
    return { $ref: `${COMPONENTS}${id}` };
  }
}

/** Points `#/$defs/X` references at `#/components/schemas/X`. */
function relink(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relink);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof inner === 'string' && inner.startsWith('#/$defs/') ? `${COMPONENTS}${inner.slice('#/$defs/'.length)}` : relink(inner);
  }
  return out;
}
