import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { concatMap, type Observable } from 'rxjs';
import { CACHE_EVICT_ROUTE } from './cache.constants';
import { CacheService } from './cache.service';
import type { CacheEvictOptions } from './cache-evict.decorator';
import { buildKey, type CacheKeyTemplate } from './cached.decorator';

/**
 * Runs the evictions of `@CacheEvict()` after the handler's value, before
 * the response. Keys never fail the request (an L2 delete that fails is
 * retried when Redis is back, see `MultiTierCache.delete`); a tag whose
 * index cannot be read (Redis down) is logged and skipped: the handler's
 * work is done, and a 5xx would invite the client to repeat it.
 */
@Injectable()
export class CacheEvictInterceptor implements NestInterceptor {
  private readonly logger = new Logger('CacheEvict');

  constructor(
    private readonly reflector: Reflector,
    private readonly cache: CacheService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const route = this.reflector.get<CacheEvictOptions | undefined>(CACHE_EVICT_ROUTE, context.getHandler());
    if (!route || !this.cache.enabled) return next.handle();
    const params = (context.switchToHttp().getRequest<FastifyRequest>().params ?? {}) as Record<string, string | undefined>;
    const keys = built(route.keys, params);
    const tags = built(route.tags, params);
    return next.handle().pipe(
      concatMap(async (value: unknown) => {
        await this.evict(keys, tags);
        return value;
      }),
    );
  }

  private async evict(keys: string[], tags: string[]): Promise<void> {
    if (keys.length > 0) await this.cache.delete(...keys);
    for (const tag of tags) {
      try {
        await this.cache.deleteByTag(tag);
      } catch (error) {
        this.logger.warn(`tag "${tag}" not evicted: ${(error as Error).message}`);
      }
    }
  }
}

/** The templates built from `params`, without those whose parameter is missing. */
function built(templates: readonly CacheKeyTemplate[] | undefined, params: Readonly<Record<string, string | undefined>>): string[] {
  return (templates ?? []).flatMap((template) => buildKey(template, params) ?? []);
}
