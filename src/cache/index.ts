export { CacheFastPath } from './cache-fast-path';
export { cacheConfig } from './cache.config';
export type { CacheConfig } from './cache.config';
export { CacheModule } from './cache.module';
export type { CacheOptions } from './cache.options';
export { CacheService } from './cache.service';
export type { CachedBatch } from './cache.service';
export { Cached } from './cached.decorator';
