import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, map, type Observable } from 'rxjs';
import { ResourceNotFoundError } from '../http';
import { JSON_TYPE, notModified, setCacheHeaders } from './cache-response';
import { CACHED_ROUTE } from './cache.constants';
import { CacheService } from './cache.service';
import { Absent, type CacheEntry } from './cache.types';
import { buildKey, type CachedRouteOptions } from './cached.decorator';

/** 404 replayed from a negative cache entry, with the detail of the original miss. */
export class CachedNotFoundError extends ResourceNotFoundError {}

/**
 * Serves `@Cached()` GET routes through the cache: the handler runs only on
 * a miss (single-flight per key), its `ResourceNotFoundError` is cached
 * negatively, and the response is the stored bytes with `x-cache`, `ETag`
 * and `Cache-Control`, or an empty 304 when `If-None-Match` matches.
 */
@Injectable()
export class CacheInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly cache: CacheService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const route = this.reflector.get<CachedRouteOptions | undefined>(CACHED_ROUTE, context.getHandler());
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const key = route && this.cache.enabled && request.method === 'GET' ? buildKey(route.key, request.params as Record<string, string>) : undefined;
    if (!route || key === undefined) return next.handle();

    const options = this.cache.options(route);
    const loader = () =>
      lastValueFrom(next.handle(), { defaultValue: undefined }).catch((error: unknown) => {
        if (error instanceof ResourceNotFoundError) return new Absent(error.message);
        throw error;
      });
    return from(this.cache.getEntryOrLoad(key, loader, options)).pipe(
      map(({ entry, tier }) => {
        if (entry.negative) throw new CachedNotFoundError(absentDetail(entry));
        setCacheHeaders(reply, entry, tier, options, Date.now());
        if (notModified(request.headers['if-none-match'], entry)) {
          void reply.status(304);
          return undefined;
        }
        void reply.type(JSON_TYPE);
        return entry.body;
      }),
    );
  }
}

/** The client sentence stored in a negative entry. */
export function absentDetail(entry: CacheEntry): string {
  try {
    const { detail } = JSON.parse(entry.body.toString('utf8')) as { detail?: unknown };
    return typeof detail === 'string' ? detail : 'Not found.';
  } catch {
    return 'Not found.';
  }
}
