import type { CacheOptions } from '../../cache';
import { etagOf, parseId } from './product.dto';
import type { Product } from './product.types';

/** Cache key of one product. */
export function productKey(id: number | string): string {
  return `product:${id}`;
}

/**
 * The cache key of `GET /products/:id`: only for a valid id, so that
 * `/products/abc` never costs a cache lookup and meets validation (400) directly.
 */
export function productKeyFromParams(params: Readonly<Record<string, string | undefined>>): string | undefined {
  // On the L1 fast path: a regex, not a zod parse.
  const id = parseId(params['id'] ?? '');
  return id === undefined ? undefined : productKey(id);
}

/**
 * The catalog's layer of cache options: the ETag of a cached product is its
 * version, the same one writes return and `If-Match` takes. TTLs come from
 * the module defaults (`CACHE_*`).
 */
export const PRODUCT_CACHE: CacheOptions = {
  etagOf: (product) => etagOf((product as Product).version),
};
