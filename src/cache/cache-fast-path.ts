import { Injectable, Logger, Optional, RequestMethod, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { DegradableRoute } from '../degradation/degradable.decorator';
import { DEGRADABLE_ROUTE } from '../degradation/degradation.constants';
import { FeatureSwitches } from '../degradation/feature-switches.service';
import { REQUEST_ID_HEADER, requestIdFrom } from '../http/request-id';
import { joinPaths } from '../http/route-path';
import { cacheControl, JSON_TYPE, notModified } from './cache-response';
import { CACHED_ROUTE } from './cache.constants';
import type { ResolvedCacheOptions } from './cache.options';
import { CacheService } from './cache.service';
import { buildKey, type CacheKeyTemplate, type CachedRouteOptions } from './cached.decorator';
import { compileRoutePattern, type RouteMatcher } from '../http/route-matcher';

/** Records one answer of a route: method, status code, seconds it took. */
export type AnswerRecorder = (method: string, statusCode: number, seconds: number) => void;

interface FastRoute {
  readonly url: string;
  /** From {@link CacheFastPath.observe}: counts this route's answers (HTTP metrics). */
  readonly record?: AnswerRecorder;
  readonly match: RouteMatcher;
  readonly key: CacheKeyTemplate;
  readonly options: ResolvedCacheOptions;
  /** The feature switch the route sits behind (`@Degradable()`): the fast path answers only while it is `on`. */
  readonly feature?: string;
}

/**
 * Answers fresh L1 hits of `@Cached()` GET routes on the raw `node:http`
 * request, before Fastify and Nest: the bytes are already serialized and the
 * lookup is synchronous, so a hit costs a route match, a map lookup and one
 * socket write. `createApp()` puts {@link serve} in front of Fastify's
 * handler through Fastify's `serverFactory`.
 *
 * The response is the one the full path gives (same body, `content-type`,
 * `x-request-id`, `x-cache: L1`, `ETag`, `Cache-Control`, an empty 304 on
 * `If-None-Match`); the e2e tests compare the two. Everything else falls
 * through to Fastify untouched: methods other than GET, paths that are not
 * plain (percent-escapes, over-long segments), keys the route's key builder
 * refuses (so `/products/abc` still meets validation), misses, stale and
 * negative entries, routes with guards (no guard is ever skipped), routes
 * behind a feature switch (`@Degradable()`) while it is not `on` (the full
 * path answers the fallback), and every request once shutdown has begun
 * (Fastify then answers 503 and closes).
 * Hits answered here write no access-log line (the per-request logger runs
 * inside Fastify); they are counted in `CacheService.stats()`.
 */
@Injectable()
export class CacheFastPath implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CacheFastPath');
  private routes: readonly FastRoute[] = [];
  private recorderOf?: (route: string) => AnswerRecorder;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly cache: CacheService,
    @Optional() private readonly switches?: FeatureSwitches,
  ) {}

  /**
   * Answers `req` when it is a fresh L1 hit of a cached route and returns
   * true; otherwise touches nothing and returns false (the caller hands the
   * request to Fastify). Until bootstrap has found the cached routes, and
   * after shutdown has begun, it answers nothing.
   */
  readonly serve = (req: IncomingMessage, res: ServerResponse): boolean => {
    const routes = this.routes;
    if (routes.length === 0 || req.method !== 'GET') return false;
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const startedAt = this.recorderOf === undefined ? 0 : performance.now();
    for (const route of routes) {
      const params = route.match(path);
      if (params === undefined) continue;
      if (route.feature !== undefined && this.switches!.state(route.feature) !== 'on') return false;
      const key = buildKey(route.key, params);
      const entry = key === undefined ? undefined : this.cache.tiers.peekFresh(key);
      if (entry === undefined || entry.negative) return false;
      const headers = [
        REQUEST_ID_HEADER, requestIdFrom(req),
        'x-cache', 'L1',
        'etag', entry.etag,
        'cache-control', cacheControl(entry, 'L1', route.options, Date.now()),
      ];
      const status = notModified(req.headers['if-none-match'], entry) ? 304 : 200;
      if (status === 304) {
        res.writeHead(304, headers).end();
      } else {
        headers.push('content-type', JSON_TYPE, 'content-length', String(entry.body.length));
        res.writeHead(200, headers).end(entry.body);
      }
      route.record?.('GET', status, (performance.now() - startedAt) / 1000);
      return true;
    }
    return false;
  };

  /**
   * Counts the fast path's answers: `recorderOf(route)` is asked once per
   * route (at bootstrap) for the recorder of its answers. Call before
   * `app.init()`/`listen()`.
   */
  observe(recorderOf: (route: string) => AnswerRecorder): void {
    this.recorderOf = recorderOf;
  }

  onApplicationBootstrap(): void {
    if (!this.cache.enabled) return;
    this.routes = this.cachedRoutes();
    if (this.routes.length > 0) this.logger.log(`L1 fast path on ${this.routes.map((route) => route.url).join(', ')}`);
  }

  /** Shutdown has begun: from now on Fastify answers every request (503 and close, once it closes). */
  onModuleDestroy(): void {
    this.routes = [];
  }

  /** The guard-free `@Cached()` GET routes whose URL pattern the matcher understands. */
  private cachedRoutes(): FastRoute[] {
    const routes: FastRoute[] = [];
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
        const match = compileRoutePattern(url);
        const feature = this.reflector.get<DegradableRoute | undefined>(DEGRADABLE_ROUTE, handler)?.feature;
        // A switched route with no switch to read would skip the switch: it takes the full path.
        if (!match || (feature !== undefined && this.switches === undefined)) continue;
        routes.push({ url, match, key: cached.key, options: this.cache.options(cached), feature, record: this.recorderOf?.(url) });
      }
    }
    return routes;
  }
}
