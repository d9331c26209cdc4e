import type { IncomingMessage, ServerResponse } from 'node:http';

/** What an access line says about the request (built only for lines that are written). */
export class AccessRequest {
  constructor(
    readonly method: string | undefined,
    readonly url: string | undefined,
    readonly userAgent: string | undefined,
    readonly remoteAddress: string | undefined,
  ) {}

  /** From the raw request; `originalUrl` since @fastify/middie rewrites `url` relative to the mount path. */
  static of(req: IncomingMessage & { originalUrl?: string }): AccessRequest {
    return new AccessRequest(req.method, req.originalUrl ?? req.url, req.headers['user-agent'], req.socket?.remoteAddress);
  }
}

/**
 * The `req` serializer: passes through only the {@link AccessRequest} that
 * access lines carry (built for lines actually written); a raw request
 * logged under `req` is dropped rather than dumped with its headers. Log
 * other request details explicitly.
 */
export function serializeAccessRequest(value: unknown): AccessRequest | undefined {
  return value instanceof AccessRequest ? value : undefined;
}

/** Status codes whose access line is never sampled out: every 5xx, and 4xx other than 404. */
export function alwaysLogged(statusCode: number): boolean {
  return statusCode >= 500 || (statusCode >= 400 && statusCode !== 404);
}

/**
 * pino-http's `customLogLevel` with sampling: `error` for failures (an
 * error, or a 5xx), `info` for other kept lines, `silent` (not written) for
 * all but 1 in `sampleEvery` of the others (2xx, 3xx, 404). 404s are sampled
 * since scanners produce them in bulk; other 4xx say a client is broken.
 * `silent` too when the level is not enabled (`isEnabled`): pino-http then
 * skips building the line's object, which it otherwise does whatever the level.
 */
export function accessLogLevel(
  sampleEvery: number,
  isEnabled: (level: 'error' | 'info') => boolean = () => true,
): (req: IncomingMessage, res: ServerResponse, error?: Error) => 'error' | 'info' | 'silent' {
  let seen = 0;
  return (_req, res, error) => {
    if (error || res.statusCode >= 500) return isEnabled('error') ? 'error' : 'silent';
    if (!isEnabled('info')) return 'silent';
    if (sampleEvery <= 1 || alwaysLogged(res.statusCode)) return 'info';
    if (++seen < sampleEvery) return 'silent';
    seen = 0;
    return 'info';
  };
}
