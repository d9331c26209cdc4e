/** The multi-tier cache: what features and other kit folders may use. Tiers, stores and the read path stay private. */
export { CacheEvict } from './cache-evict.decorator';
export type { CacheEvictOptions } from './cache-evict.decorator';
export { CacheFastPath } from './cache-fast-path';
export { cacheConfig } from './cache.config';
export type { CacheConfig } from './cache.config';
export { CacheModule } from './cache.module';
export type { CacheOptions } from './cache.options';
export { CacheService } from './cache.service';
export type { CachedBatch } from './cache.service';
export { Cached } from './cached.decorator';
