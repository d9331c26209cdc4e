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
