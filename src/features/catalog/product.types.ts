import { z } from 'zod';
import { describes } from '../../http';

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
