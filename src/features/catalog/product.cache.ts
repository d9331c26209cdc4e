import type { CacheOptions } from '../../cache/cache.options';
import { etagOf } from './product.dto';
import type { Product } from './product.types';

/** Cache key of one product. */
export function productKey(id: number | string): string {
  return `product:${id}`;
}

/**
 * The catalog's layer of cache options: the ETag of a cached product is its
 * version, the same one writes return and `If-Match` takes. TTLs come from
 * the module defaults (`CACHE_*`).
 */
export const PRODUCT_CACHE: CacheOptions = {
  etagOf: (product) => etagOf((product as Product).version),
};
