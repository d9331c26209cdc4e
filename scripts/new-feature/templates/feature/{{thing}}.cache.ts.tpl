import type { CacheOptions } from '../../cache';
import { parse{{Thing}}Id } from './{{thing}}.dto';
import type { {{Thing}} } from './{{thing}}.types';

/** Tag of every cached page of `GET /{{name}}`: a write drops them all (`cache.deleteByTag`). */
export const {{THING}}_PAGES_TAG = '{{name}}:pages';

/** Cache key of one {{thing}}. */
export function {{thingCamel}}Key(id: number | string): string {
  return `{{thing}}:${id}`;
}

/** The cache key of `GET /{{name}}/:id`: only for a valid id, so a bad one never costs a cache lookup and meets validation (400). */
export function {{thingCamel}}KeyFromParams(params: Readonly<Record<string, string | undefined>>): string | undefined {
  const id = parse{{Thing}}Id(params['id'] ?? '');
  return id === undefined ? undefined : {{thingCamel}}Key(id);
}

/** Cache key of one page of `GET /{{name}}`. */
export function {{thingCamel}}PageKey(afterId: number, limit: number): string {
  return `{{thing}}-page:${afterId}:${limit}`;
}

/** Options of a cached {{thing}}: its ETag is its version. TTLs are the module's (`CACHE_*`). */
export const {{THING}}_CACHE: CacheOptions = {
  etagOf: (value) => `"${(value as {{Thing}}).version}"`,
};

/** Options of a cached page: tagged, so that a write drops every page at once. */
export const {{THING}}_PAGE_CACHE: CacheOptions = { tags: [{{THING}}_PAGES_TAG] };
