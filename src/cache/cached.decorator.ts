import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { CACHED_ROUTE } from './cache.constants';
import type { CacheOptions } from './cache.options';
import { CacheInterceptor } from './cache.interceptor';

/**
 * What `@Cached()` records on a GET handler: how to build the cache key from
 * the route's path parameters, and the route's layer of cache options.
 */
export interface CachedRouteOptions extends CacheOptions {
  /**
   * The cache key of the route's value, from its path parameters.
   * @example 'product:{id}'
   */
  readonly key: CacheKeyTemplate;
}

/**
 * A key (or tag) built from a route's path parameters: a template, where
 * `{name}` is replaced by the path parameter `name`; or a function of the raw
 * path parameters that returns the key, or undefined for parameters that can
 * never name a cached value (the request then skips the cache and meets the
 * route's validation as usual).
 */
export type CacheKeyTemplate = string | ((params: Readonly<Record<string, string | undefined>>) => string | undefined);

/**
 * Serves a GET route through the multi-tier cache. The handler becomes the
 * loader: it runs only on a miss, and a `ResourceNotFoundError` it throws is
 * cached negatively for `negativeTtlMs`. Responses carry `x-cache`
 * (`L1|L2|MISS|STALE`), an `ETag` from the stored bytes (304 on a matching
 * `If-None-Match`) and `Cache-Control` from the options. Fresh L1 hits of a
 * route with no guard (global ones included) and no interceptor before this
 * one but `@Degradable()`'s are answered before the Nest pipeline (see
 * `CacheFastPath`), with the same headers.
 *
 * @example
 * ```ts
 * @Get(':id')
 * @Cached({ key: 'product:{id}', ttlMs: 60_000 })
 * get(@Param('id', productId) id: number) { return this.catalog.get(id); }
 * ```
 */
export function Cached(options: CachedRouteOptions): MethodDecorator {
  return applyDecorators(SetMetadata(CACHED_ROUTE, options), UseInterceptors(CacheInterceptor));
}

/** `'product:{id}'` + `{ id: '42' }` → `'product:42'`; undefined when a parameter is missing. */
export function buildKey(template: CacheKeyTemplate, params: Readonly<Record<string, string | undefined>>): string | undefined {
  if (typeof template === 'function') return template(params);
  let missing = false;
  const key = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') missing = true;
    return value ?? '';
  });
  return missing ? undefined : key;
}
