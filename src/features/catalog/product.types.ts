import { z } from 'zod';
import { describes, problemDetailsSchema, type ProblemDetails } from '../../http';

/** A product as the API returns it. Prices are integer minor units (cents) of `currency`. */
export interface Product {
  readonly id: number;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly priceMinor: number;
  readonly currency: string;
  readonly stock: number;
  readonly tags: readonly string[];
  /** Bumped on every change; the ETag and the If-Match precondition use it. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The fields a client sets on create and replaces on update. */
export interface ProductInput {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly priceMinor: number;
  readonly currency: string;
  readonly stock: number;
  readonly tags: readonly string[];
}

/** The shape of `GET /products?ids=` (sent as pre-built JSON bytes): found products in request order, and the ids that do not exist. */
export interface ProductBatch {
  readonly items: readonly Product[];
  readonly missing: readonly number[];
}

/** `GET /products?limit=&cursor=`: one page in id order; `nextCursor` is null on the last page. */
export interface ProductPage {
  readonly items: readonly Product[];
  readonly nextCursor: string | null;
}

/** One item's answer in `POST /products/bulk`, in request order: what it wrote, or its problem. */
export type BulkItemResult =
  | { readonly status: 200 | 201; readonly product: Product }
  | { readonly status: 204; readonly id: number; readonly version: number }
  | { readonly status: number; readonly problem: ProblemDetails };

/** `POST /products/bulk`: one answer per item. */
export interface BulkWriteResult {
  readonly items: readonly BulkItemResult[];
}

/** What a write of a product records and flushes: its fields and when it changed (id, version and createdAt travel beside it). */
export interface ProductState extends ProductInput {
  readonly updatedAt: string;
}

// Response schemas: what the OpenAPI document publishes; `describes` keeps each one true to its interface.
const safeId = z.int().min(1).max(Number.MAX_SAFE_INTEGER);

/** {@link Product} as the OpenAPI document publishes it. */
export const productSchema = describes<Product>()(
  z
    .strictObject({
      id: safeId,
      sku: z.string(),
      name: z.string(),
      description: z.string(),
      priceMinor: z.int().min(0).describe('Integer minor units (cents) of `currency`.'),
      currency: z.string().describe('ISO 4217 code.'),
      stock: z.int().min(0),
      tags: z.array(z.string()),
      version: z.int().min(1).describe('Bumped on every change: the ETag (`"<version>"`) and the If-Match precondition.'),
      createdAt: z.iso.datetime(),
      updatedAt: z.iso.datetime(),
    })
    .meta({ id: 'Product' }),
);

/** {@link ProductBatch} as the OpenAPI document publishes it. */
export const productBatchSchema = describes<ProductBatch>()(
  z
    .strictObject({ items: z.array(productSchema).describe('Found products, in request order.'), missing: z.array(safeId).describe('Ids that do not exist.') })
    .meta({ id: 'ProductBatch' }),
);

/** {@link ProductPage} as the OpenAPI document publishes it. */
export const productPageSchema = describes<ProductPage>()(
  z
    .strictObject({ items: z.array(productSchema), nextCursor: z.string().nullable().describe('`cursor` of the next page; null on the last page.') })
    .meta({ id: 'ProductPage' }),
);

/** {@link BulkWriteResult} as the OpenAPI document publishes it. */
export const bulkWriteResultSchema = describes<BulkWriteResult>()(
  z
    .strictObject({
      items: z
        .array(
          z.union([
            z.strictObject({ status: z.union([z.literal(200), z.literal(201)]).describe('201 created, 200 replaced.'), product: productSchema }),
            z.strictObject({ status: z.literal(204).describe('Deleted.'), id: safeId, version: z.int().min(1).describe('The version the delete made.') }),
            z.strictObject({
              status: z
                .int()
                .min(400)
                .max(599)
                .describe(
                  "The status a single write would have had (404, 409, 422, 503); 424 E_BULK_ABORTED in an atomic request that another item's refusal stopped.",
                ),
              problem: problemDetailsSchema,
            }),
          ]),
        )
        .describe('One answer per item, in request order.'),
    })
    .meta({ id: 'BulkWriteResult' }),
);
