import { Injectable, Logger, Optional, RequestMethod, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModuleRef, Reflector, type ApplicationConfig, type NestContainer } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type DegradableRoute, DEGRADABLE_ROUTE, DegradationInterceptor, FeatureSwitches } from '../degradation';
import { REQUEST_ID_HEADER, requestIdFrom, joinPaths, compileRoutePattern, type RouteMatcher } from '../http';
import { cacheControl, JSON_TYPE, notModified } from './cache-response';
import { CACHED_ROUTE } from './cache.constants';
import { CacheInterceptor } from './cache.interceptor';
import type { ResolvedCacheOptions } from './cache.options';
import { CacheService } from './cache.service';
import { buildKey, type CacheKeyTemplate, type CachedRouteOptions } from './cached.decorator';

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
 * `If-None-Match`); the e2e tests compare the two. It fails closed: a route
 * is answered here only when what Nest would run on its hit is known to be
 * reproduced (see {@link unreproducedEnhancers}): no guard anywhere (global,
 * controller, route), and before its `CacheInterceptor` no interceptor but
 * `DegradationInterceptor`. Every other route, and the whole fast path when
 * Nest's global enhancers cannot be read, goes through Fastify; bootstrap
 * logs which cached routes are left out and why. Nest middleware and hooks on
 * the Fastify instance are not inspected (Nest offers no public view of
 * them): the kit's own are the request id (reproduced), the access log (not
 * written for these hits) and metrics (recorded through {@link observe}).
 * Everything else falls through to Fastify untouched too: methods other than
 * GET, paths that are not plain (percent-escapes, over-long segments), keys
 * the route's key builder refuses (so `/products/abc` still meets
 * validation), misses, stale and negative entries, routes behind a feature
 * switch (`@Degradable()`) while it is not `on` (the full path answers the
 * fallback), and every request once the app closes (after the shutdown drain,
 * during which hits are answered with `Connection: close`; see `HttpDrain`).
 * Hits answered here write no access-log line (the per-request logger runs
 * inside Fastify); they are counted in `CacheService.stats()`.
 */
@Injectable()
export class CacheFastPath implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CacheFastPath');
  private routes: readonly FastRoute[] = [];
  private recorderOf?: (route: string) => AnswerRecorder;
  /** Set at bootstrap, cleared by the first request: the global enhancers are read again then. */
  private globalsToRecheck = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly cache: CacheService,
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly switches?: FeatureSwitches,
  ) {}

  /**
   * Answers `req` when it is a fresh L1 hit of a cached route and returns
   * true; otherwise touches nothing and returns false (the caller hands the
   * request to Fastify). Until bootstrap has found the cached routes, and
   * once the app closes, it answers nothing.
   */
  readonly serve = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (this.globalsToRecheck) this.recheckGlobals();
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
      const entry = key === undefined ? undefined : this.cache.peekFresh(key);
      if (entry === undefined || entry.negative) return false;
      // Name, value pairs: writeHead takes them as one flat array.
      // prettier-ignore
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
    const { routes, excluded } = this.cachedRoutes();
    this.routes = routes;
    this.globalsToRecheck = routes.length > 0;
    if (routes.length > 0) this.logger.log(`L1 fast path on ${routes.map((route) => route.url).join(', ')}`);
    if (excluded.length > 0) this.logger.log(`L1 fast path not on (Nest answers them): ${excluded.join('; ')}`);
  }

  /** The app closes (after the drain): from now on Fastify answers every request (503 E_SHUTTING_DOWN once the listener closes). */
  onModuleDestroy(): void {
    this.routes = [];
    this.globalsToRecheck = false;
  }

  /**
   * Nest compiles each route's enhancers at `init()`, before bootstrap, so the globals read then
   * are the ones its routes run. Globals may still be added afterwards, though (`useGlobalGuards()`
   * between `init()` and `listen()`): Nest would not run them on those routes, but they state an
   * intent (and request-scoped controllers, built per request, would pick them up), so the first
   * request reads them again and a global that appeared since turns the fast path off. Once, not
   * per request: a boolean is all the hot path pays; registering a global after requests are served
   * is not something Nest supports either.
   */
  private recheckGlobals(): void {
    this.globalsToRecheck = false;
    const globals = this.globalEnhancers();
    // Globals come before every route's own enhancers, so before its CacheInterceptor.
    const reason = globals === undefined ? 'global enhancers unreadable' : unreproducedEnhancers(globals.guards, [...globals.interceptors, CacheInterceptor]);
    if (reason === undefined) return;
    this.routes = [];
    this.logger.log(`L1 fast path off: ${reason} registered after bootstrap`);
  }

  /**
   * The `@Cached()` GET routes the fast path may answer (URL pattern the matcher understands, the
   * pipeline proven by {@link unreproducedEnhancers}), and why each other one is left out.
   */
  private cachedRoutes(): { routes: FastRoute[]; excluded: string[] } {
    const routes: FastRoute[] = [];
    const excluded: string[] = [];
    const globals = this.globalEnhancers();
    for (const wrapper of this.discovery.getControllers()) {
      const instance: unknown = wrapper.instance;
      const { metatype } = wrapper;
      if (!instance || !metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      const controllerPath = this.reflector.get<string | string[]>(PATH_METADATA, metatype);
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
        const cached = this.reflector.get<CachedRouteOptions | undefined>(CACHED_ROUTE, handler);
        if (!cached || this.reflector.get<RequestMethod>(METHOD_METADATA, handler) !== RequestMethod.GET) continue;
        const url = joinPaths(controllerPath, this.reflector.get<string | string[]>(PATH_METADATA, handler));
        // Nest's order: global, then controller, then route enhancers.
        const chain = (key: string) => [...(this.reflector.get<unknown[]>(key, metatype) ?? []), ...(this.reflector.get<unknown[]>(key, handler) ?? [])];
        const match = compileRoutePattern(url);
        const feature = this.reflector.get<DegradableRoute | undefined>(DEGRADABLE_ROUTE, handler)?.feature;
        const reason =
          globals === undefined
            ? 'global enhancers unreadable'
            : unreproducedEnhancers([...globals.guards, ...chain(GUARDS_METADATA)], [...globals.interceptors, ...chain(INTERCEPTORS_METADATA)]);
        const unservable =
          reason ??
          (match === undefined ? 'URL pattern not understood' : undefined) ??
          // A switched route with no switch to read would skip the switch.
          (feature !== undefined && this.switches === undefined ? 'no feature switches to read' : undefined);
        if (unservable !== undefined || match === undefined) {
          excluded.push(`GET ${url} (${unservable})`);
          continue;
        }
        routes.push({ url, match, key: cached.key, options: this.cache.options(cached), feature, record: this.recorderOf?.(url) });
      }
    }
    return { routes, excluded };
  }

  /**
   * What Nest runs on every route before the controller's enhancers: `app.useGlobal*()` and the
   * `APP_GUARD` / `APP_INTERCEPTOR` providers (static ones as instances, request-scoped ones as
   * wrappers, whose class is all there is before a request). Nest keeps them in its
   * `ApplicationConfig`, which it does not offer for injection: it is read from the container behind
   * `ModuleRef`. Undefined when that is not there (Nest's internals changed): nothing can then be
   * proven, and the fast path stays off.
   */
  private globalEnhancers(): { guards: unknown[]; interceptors: unknown[] } | undefined {
    const config: ApplicationConfig | undefined = (this.moduleRef as unknown as { container?: NestContainer }).container?.applicationConfig;
    if (typeof config?.getGlobalGuards !== 'function' || typeof config.getGlobalRequestGuards !== 'function') return undefined;
    return {
      guards: [...config.getGlobalGuards(), ...config.getGlobalRequestGuards().map((wrapper) => wrapper.metatype)],
      interceptors: [...config.getGlobalInterceptors(), ...config.getGlobalRequestInterceptors().map((wrapper) => wrapper.metatype)],
    };
  }
}

/**
 * Why the fast path cannot answer a route whose hit Nest would run through `guards` and
 * `interceptors` (each in Nest's order, global first; classes or instances), or undefined when it
 * reproduces all of it. On a hit Nest runs every guard, then the interceptors in order up to the
 * `CacheInterceptor`, which answers without calling `next.handle()`. So:
 * - any guard excludes the route: the fast path never skips one;
 * - an interceptor before the `CacheInterceptor` excludes it, unless it is the kit's
 *   `DegradationInterceptor`, which only passes through while the route's switch is `on`, the one
 *   state the fast path answers in (`ResilienceInterceptor` placed there is not reproduced: its open
 *   breaker would reject even a hit);
 * - interceptors after it, and all pipes (global, controller, route, parameter: Nest applies them
 *   inside the innermost `next.handle()`, right before the handler), never run on a hit, through
 *   Nest or here. A parameter pipe such as the catalog's `ZodValidationPipe` on `:id` is reproduced
 *   as far as it matters by the route's key builder: a key it refuses (`/products/abc`) is no
 *   hit, so the request goes through Nest and meets the pipe (400).
 * Exception filters act on errors only, never on a hit. A route without its `CacheInterceptor`
 * (the class itself, not a subclass) is not understood and excluded.
 */
export function unreproducedEnhancers(guards: readonly unknown[], interceptors: readonly unknown[]): string | undefined {
  if (guards.length > 0) return `guards: ${guards.map(enhancerName).join(', ')}`;
  const classes = interceptors.map(classOf);
  const cacheAt = classes.indexOf(CacheInterceptor);
  if (cacheAt < 0) return 'no CacheInterceptor';
  const before = classes.slice(0, cacheAt).filter((type) => type !== DegradationInterceptor);
  return before.length > 0 ? `interceptors before the cache: ${before.map(enhancerName).join(', ')}` : undefined;
}

/** An enhancer as Nest takes it (a class, or an instance) → its class; undefined when it has none. */
function classOf(enhancer: unknown): unknown {
  return typeof enhancer === 'function' ? enhancer : (enhancer as { constructor?: unknown } | null | undefined)?.constructor;
}

function enhancerName(enhancer: unknown): string {
  const type = classOf(enhancer);
  return typeof type === 'function' && type.name !== '' ? type.name : 'an unnamed enhancer';
}
