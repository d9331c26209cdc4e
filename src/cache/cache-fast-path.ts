import { Injectable, Logger, RequestMethod, type OnApplicationBootstrap } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notModified, sendBody, setCacheHeaders } from './cache-response';
import { CACHED_ROUTE } from './cache.constants';
import type { ResolvedCacheOptions } from './cache.options';
import { CacheService } from './cache.service';
import { buildKey, type CachedRouteOptions } from './cached.decorator';

interface FastRoute {
  readonly key: CachedRouteOptions['key'];
  readonly options: ResolvedCacheOptions;
}

/**
 * Answers fresh L1 hits of `@Cached()` routes from a Fastify `onRequest`
 * hook, before Nest's middleware, router, guards, interceptors and pipes: the
 * bytes are already serialized and the lookup is synchronous, so a hit costs
 * a Map lookup and a socket write. The response is the one the interceptor
 * would give (same body, `x-request-id`, `x-cache: L1`, `ETag`,
 * `Cache-Control`, 304 on `If-None-Match`). Hits answered here write no
 * access-log line (the per-request logger is Nest middleware, which they
 * skip); they are counted in `CacheService.stats()`. Routes with guards are
 * left to the full pipeline, so no guard is ever skipped; misses, stale and
 * negative entries too.
 */
@Injectable()
export class CacheFastPath implements OnApplicationBootstrap {
  private readonly logger = new Logger('CacheFastPath');
  private readonly routes = new Map<string, FastRoute>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly cache: CacheService,
  ) {}

  /**
   * The `onRequest` hook body: answers a fresh L1 hit, or calls `done()`.
   * Give it to `FastifyAdapter.setOnRequestHook()`: that hook runs before
   * every other one, Nest's middleware engine (and with it the per-request
   * logger) included, so a hit pays for neither. Until bootstrap has found
   * the cached routes it passes every request on.
   */
  readonly onRequest = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    const route = request.method === 'GET' && this.routes.size > 0 ? this.routes.get(request.routeOptions.url ?? '') : undefined;
    const key = route && buildKey(route.key, request.params as Record<string, string>);
    const entry = key === undefined || !this.cache.enabled ? undefined : this.cache.tiers.peekFresh(key);
    if (!route || !entry || entry.negative) {
      done();
      return;
    }
    setCacheHeaders(reply, entry, 'L1', route.options, Date.now());
    if (notModified(request.headers['if-none-match'], entry)) void reply.code(304).send();
    else sendBody(reply, entry);
  };

  onApplicationBootstrap(): void {
    if (!this.cache.enabled) return;
    for (const [url, route] of this.cachedRoutes()) this.routes.set(url, route);
    if (this.routes.size > 0) this.logger.log(`L1 fast path on ${[...this.routes.keys()].join(', ')}`);
  }

  /** Fastify URL pattern (`/products/:id`) → key template and options, for guard-free `@Cached()` GET routes. */
  private cachedRoutes(): Map<string, FastRoute> {
    const routes = new Map<string, FastRoute>();
    for (const wrapper of this.discovery.getControllers()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      const controllerPath = this.reflector.get<string | string[]>(PATH_METADATA, metatype);
      const controllerGuards = this.reflector.get<unknown[]>(GUARDS_METADATA, metatype) ?? [];
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
        const cached = this.reflector.get<CachedRouteOptions | undefined>(CACHED_ROUTE, handler);
        if (!cached || this.reflector.get<RequestMethod>(METHOD_METADATA, handler) !== RequestMethod.GET) continue;
        const guards = this.reflector.get<unknown[]>(GUARDS_METADATA, handler) ?? [];
        if (controllerGuards.length > 0 || guards.length > 0) continue;
        const url = joinPaths(controllerPath, this.reflector.get<string | string[]>(PATH_METADATA, handler));
        routes.set(url, { key: cached.key, options: this.cache.options(cached) });
      }
    }
    return routes;
  }
}

/** `'products'` + `':id'` → `'/products/:id'` (the first path when several are given). */
function joinPaths(...parts: Array<string | string[] | undefined>): string {
  const segments = parts
    .map((part) => (Array.isArray(part) ? part[0] : part) ?? '')
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '');
  return `/${segments.join('/')}`;
}
