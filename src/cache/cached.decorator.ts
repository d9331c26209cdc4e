import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { z } from 'zod';
import { describeRoute, type ResponseHeaderSpec } from '../http';
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
  return applyDecorators(SetMetadata(CACHED_ROUTE, options), UseInterceptors(CacheInterceptor), describeRoute(CACHED_CONTRACT));
}

const CACHE_HEADERS: Record<string, ResponseHeaderSpec> = {
  'x-cache': {
    description: 'The tier that answered: `L1`, `L2`, `MISS` (loaded now) or `STALE` (served while the source failed).',
    schema: z.enum(['L1', 'L2', 'MISS', 'STALE']),
  },
  etag: { description: 'The strong ETag of the cached value; send it back as `If-None-Match` for a 304.', schema: z.string().regex(/^"[^"]*"$/) },
  'cache-control': { description: '`max-age=<fresh seconds left>, stale-while-revalidate=<seconds>`.', schema: z.string() },
};

/** What a `@Cached()` route adds to its contract (the OpenAPI document): cache headers, 304, the load's 503s. */
const CACHED_CONTRACT = {
  headers: CACHE_HEADERS,
  requestHeaders: {
    'if-none-match': { description: 'An ETag this API returned (or `*`): 304 with no body while it is current.', schema: z.string().optional() },
  },
  responses: { 304: { description: 'Not modified: `If-None-Match` names the current ETag.', headers: CACHE_HEADERS } },
  problems: [
    { status: 503, code: 'E_DEPENDENCY_UNAVAILABLE', when: 'the data source is unreachable and no cached value (not even a stale one) can be served' },
    { status: 503, code: 'E_LOAD_TIMEOUT', when: 'the load passed `CACHE_LOADER_HARD_TIMEOUT_MS` and no stale value could be served' },
  ],
};

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
