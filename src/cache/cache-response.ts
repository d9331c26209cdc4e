import type { FastifyReply } from 'fastify';
import type { ResolvedCacheOptions } from './cache.options';
import type { CacheEntry, CacheTier } from './cache.types';

/** Content type of cached bodies: they are JSON bytes. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sets the headers of a cached response, the same on the fast path and
 * through the interceptor: `x-cache`, `ETag`, `Cache-Control` (max-age = the
 * remaining freshness, stale-while-revalidate = the route's `staleMs`, so a
 * CDN can take load too; a stale answer is not to be reused).
 */
export function setCacheHeaders(reply: FastifyReply, entry: CacheEntry, tier: CacheTier, options: ResolvedCacheOptions, now: number): void {
  void reply
    .header('x-cache', tier)
    .header('etag', entry.etag)
    .header('cache-control', cacheControl(entry, tier, options, now));
}

/** The `Cache-Control` value of a cached response (see {@link setCacheHeaders}). */
export function cacheControl(entry: CacheEntry, tier: CacheTier, options: ResolvedCacheOptions, now: number): string {
  const maxAgeS = tier === 'STALE' ? 0 : Math.max(0, Math.floor((entry.freshUntil - now) / 1000));
  const swrS = entry.negative ? 0 : Math.floor(options.staleMs / 1000);
  return `max-age=${maxAgeS}, stale-while-revalidate=${swrS}`;
}

/** True when `If-None-Match` names the entry's ETag (or `*`): the client's copy is current. */
export function notModified(ifNoneMatch: string | undefined, entry: CacheEntry): boolean {
  if (!ifNoneMatch || entry.negative) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === entry.etag);
}
