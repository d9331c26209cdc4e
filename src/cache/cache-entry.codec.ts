import { createHash } from 'node:crypto';
import type { CacheEntry } from './cache.types';

/** Version tag of the L2 encoding: bump it when the format changes, old values then read as misses. */
const FORMAT = 'b1';
const SEPARATOR = '|';

/** Builds an entry from a loaded value's JSON bytes and its time windows; the ETag defaults to a hash of the bytes. */
export function createEntry(
  body: Buffer,
  freshUntil: number,
  staleUntil: number,
  negative: boolean,
  tags: readonly string[],
  etag: string = etagOf(body),
): CacheEntry {
  return { body, etag, freshUntil, staleUntil, negative, tags };
}

/** Strong ETag of a body: the first 16 bytes of its SHA-1, base64url, quoted. */
export function etagOf(body: Buffer): string {
  return `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
}

/**
 * One string per entry for L2: `b1|freshUntil|staleUntil|negative|tags|etag|body`.
 * The body goes last and unescaped, so encoding costs one concatenation
 * and decoding six `indexOf`s, whatever the body holds.
 */
export function encodeEntry(entry: CacheEntry): string {
  const tags = entry.tags.map(encodeURIComponent).join(',');
  return [FORMAT, entry.freshUntil, entry.staleUntil, entry.negative ? 1 : 0, tags, entry.etag, entry.body.toString('utf8')].join(SEPARATOR);
}

/** Reverses {@link encodeEntry}; `undefined` for anything else (another format, garbage). */
export function decodeEntry(text: string | null | undefined): CacheEntry | undefined {
  if (typeof text !== 'string' || !text.startsWith(FORMAT + SEPARATOR)) return undefined;
  const fields: string[] = [];
  let start = FORMAT.length + 1;
  for (let i = 0; i < 5; i++) {
    const end = text.indexOf(SEPARATOR, start);
    if (end < 0) return undefined;
    fields.push(text.slice(start, end));
    start = end + 1;
  }
  const [fresh, stale, negative, tags, etag] = fields as [string, string, string, string, string];
  const freshUntil = Number(fresh);
  const staleUntil = Number(stale);
  if (!Number.isFinite(freshUntil) || !Number.isFinite(staleUntil)) return undefined;
  return {
    body: Buffer.from(text.slice(start), 'utf8'),
    etag,
    freshUntil,
    staleUntil,
    negative: negative === '1',
    tags: tags === '' ? [] : tags.split(',').map(decodeURIComponent),
  };
}

/** The entry of the two that was loaded last, if it may still be served at all. */
export function newest(a: CacheEntry | undefined, b: CacheEntry | undefined, now: number): CacheEntry | undefined {
  const usableA = a !== undefined && now < a.staleUntil ? a : undefined;
  const usableB = b !== undefined && now < b.staleUntil ? b : undefined;
  if (!usableA || !usableB) return usableA ?? usableB;
  return usableB.staleUntil > usableA.staleUntil ? usableB : usableA;
}
