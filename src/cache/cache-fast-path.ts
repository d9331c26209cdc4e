import { Injectable, Logger, RequestMethod, type OnApplicationBootstrap } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, HttpAdapterHost, MetadataScanner, Reflector } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
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
 * hook, before Nest's router, guards, interceptors and pipes: the bytes are
 * already serialized and the lookup is synchronous, so a hit costs a Map
 * lookup and a socket write. The response is the one the interceptor would
 * give (same body, `x-cache: L1`, `ETag`, `Cache-Control`, 304 on
 * `If-None-Match`), and the request id and access log hooks, registered
 * earlier, still run. Routes with guards are left to the full pipeline, so
 * no guard is ever skipped; misses, stale and negative entries too.
 */
@Injectable()
export class CacheFastPath implements OnApplicationBootstrap {
  private readonly logger = new Logger('CacheFastPath');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly adapterHost: HttpAdapterHost,
    private readonly cache: CacheService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.cache.enabled) return;
    const routes = this.cachedRoutes();
    if (routes.size === 0) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const tiers = this.cache.tiers;
    fastify.addHook('onRequest', (request, reply, done) => {
      const route = request.method === 'GET' ? routes.get(request.routeOptions.url ?? '') : undefined;
      const key = route && buildKey(route.key, request.params as Record<string, string>);
      const entry = key === undefined ? undefined : tiers.peekFresh(key);
      if (!route || !entry || entry.negative) {
        done();
        return;
      }
      setCacheHeaders(reply, entry, 'L1', route.options, Date.now());
      if (notModified(request.headers['if-none-match'], entry)) void reply.code(304).send();
      else sendBody(reply, entry);
    });
    this.logger.log(`L1 fast path on ${[...routes.keys()].join(', ')}`);
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
