import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { CACHE_EVICT_ROUTE } from './cache.constants';
import { CacheEvictInterceptor } from './cache-evict.interceptor';
import type { CacheKeyTemplate } from './cached.decorator';

/** What `@CacheEvict()` records on a handler: the keys and tags to drop once it has succeeded. */
export interface CacheEvictOptions {
  /** Keys to drop from every tier and every pod, built from the route's path parameters like `@Cached()`'s `key`. @default [] */
  readonly keys?: readonly CacheKeyTemplate[];
  /** Tags whose keys to drop (the `tags` of `@Cached()` and of the cache service's options), templates too. @default [] */
  readonly tags?: readonly CacheKeyTemplate[];
}

/**
 * Drops cached values when a handler has succeeded: its `keys` from every
 * tier and every pod's L1 (`CacheService.delete`), and every key written
 * with one of its `tags` (`CacheService.deleteByTag`). The eviction finishes
 * before the response is sent, so the client's next read misses and loads
 * the new value. A handler that throws evicts nothing. A key template whose
 * parameter is missing is skipped.
 *
 * A write that has the new value at hand does better with
 * `CacheService.set()` (the next read is a hit); `@CacheEvict()` is for
 * writes that do not return the cached representation, and for tags.
 *
 * @example
 * ```ts
 * @Delete(':id')
 * @CacheEvict({ keys: ['note:{id}'], tags: ['notes'] })
 * remove(@Param('id') id: string) { return this.notes.remove(id); }
 * ```
 */
export function CacheEvict(options: CacheEvictOptions): MethodDecorator {
  return applyDecorators(SetMetadata(CACHE_EVICT_ROUTE, options), UseInterceptors(CacheEvictInterceptor));
}
