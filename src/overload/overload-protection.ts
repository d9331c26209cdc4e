import { Injectable, Logger, RequestMethod, type OnApplicationBootstrap } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InjectConfig } from '../config';
import { DEGRADABLE_ROUTE, FeatureSwitches, type DegradableRoute } from '../degradation';
import { compileRoutePattern, joinPaths, sendRawProblem, type RouteMatcher } from '../http';
import { AdmissionController, type AdmissionSnapshot, type Criticality } from './admission';
import { CRITICALITY } from './criticality.decorator';
import { GradientLimit } from './gradient-limit';
import { overloadConfig, type OverloadConfig } from './overload.config';
import { OverloadedError } from './overload.errors';

interface ClassifiedRoute {
  readonly method: string;
  readonly match: RouteMatcher;
  readonly criticality: Criticality;
}

/** Everything operators see of the limiter. */
export interface OverloadSnapshot extends AdmissionSnapshot {
  noLoadLatencyMs: number | null;
  probing: boolean;
}

/**
 * Overload protection on the raw request, after the L1 fast path and before Fastify: a request
 * over the limit is refused with a 503 `E_OVERLOADED` problem before its body is read or a route
 * runs (a few microseconds). Fresh L1 hits are answered before this point and are neither limited
 * nor counted: they cost the event loop less than a refusal would, and the limit is about work
 * that queues (handlers, the database pool).
 *
 * Each route's criticality comes from `@Criticality()` on the handler or its controller, else
 * `sheddable` for a route `@Degradable()` by a non-essential feature, else `essential`. A path no
 * route matches is `essential` (its 404 is cheap, but it is still work).
 */
@Injectable()
export class OverloadProtection implements OnApplicationBootstrap {
  private readonly logger = new Logger('Overload');
  readonly admission: AdmissionController;
  private readonly limit: GradientLimit;
  private routes: ClassifiedRoute[] = [];
  private readonly refusal: OverloadedError;
  private rejectingLogged = false;
  private watch?: NodeJS.Timeout;

  constructor(
    @InjectConfig(overloadConfig) config: OverloadConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly switches: FeatureSwitches,
  ) {
    this.limit = new GradientLimit(config.limit);
    this.admission = new AdmissionController(this.limit, config.admission, config.enabled);
    if (config.pinnedLimit !== undefined) this.admission.pin(config.pinnedLimit);
    this.refusal = new OverloadedError(config.retryAfterSeconds);
  }

  onApplicationBootstrap(): void {
    this.routes = this.classifiedRoutes();
    const critical = this.routes.filter((r) => r.criticality === 'critical').length;
    const sheddable = this.routes.filter((r) => r.criticality === 'sheddable').length;
    this.logger.log(
      `overload protection ${this.admission.enabled ? 'on' : 'off'}: ${this.routes.length} routes (${critical} critical, ${sheddable} sheddable)`,
    );
    // The start and the end of refusing are logged once each, not per refusal.
    this.watch = setInterval(() => this.logRejecting(), 1_000);
    this.watch.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.watch);
  }

  /** Passes an admitted request to `next` (now, or later from the queue), or answers 503. */
  handle(req: IncomingMessage, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => void): void {
    if (!this.admission.enabled) return next(req, res);
    const arrivedAt = performance.now();
    this.admission.admit(
      this.criticalityOf(req),
      (release) => {
        res.once('close', release);
        next(req, res);
      },
      () => {
        if (!this.rejectingLogged) this.logRejecting();
        // How long the refusal took here (a queue timeout waited; a full queue did not): `Server-Timing`, the standard
        // header for it, so a client or a bench can tell the server's part from the network's.
        sendRawProblem(req, res, this.refusal, { 'server-timing': `overload;dur=${(performance.now() - arrivedAt).toFixed(3)}` });
      },
    );
  }

  snapshot(): OverloadSnapshot {
    return { ...this.admission.snapshot(), noLoadLatencyMs: this.limit.noLoadLatencyMs ?? null, probing: this.limit.probing };
  }

  /** The criticality of the route `req` is for. */
  criticalityOf(req: IncomingMessage): Criticality {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    for (const route of this.routes) {
      if (route.method === method && route.match(path) !== undefined) return route.criticality;
    }
    return 'essential';
  }

  private logRejecting(): void {
    const rejecting = this.admission.rejecting;
    if (rejecting === this.rejectingLogged) return;
    this.rejectingLogged = rejecting;
    const { limit, inFlight, queued, rejected } = this.admission.snapshot();
    if (rejecting) this.logger.warn({ limit, inFlight, queued, rejected }, 'overloaded: refusing requests over the limit (503 E_OVERLOADED)');
    else this.logger.log({ limit, rejected }, 'no longer refusing requests');
  }

  private classifiedRoutes(): ClassifiedRoute[] {
    const routes: ClassifiedRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance: unknown = wrapper.instance;
      const { metatype } = wrapper;
      if (!instance || !metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      const controllerPath = this.reflector.get<string | string[]>(PATH_METADATA, metatype);
      const controllerLevel = this.reflector.get<Criticality | undefined>(CRITICALITY, metatype);
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
        const requestMethod = this.reflector.get<RequestMethod | undefined>(METHOD_METADATA, handler);
        if (requestMethod === undefined) continue;
        const match = compileRoutePattern(joinPaths(controllerPath, this.reflector.get<string | string[]>(PATH_METADATA, handler)));
        if (match === undefined) continue;
        const feature = this.reflector.get<DegradableRoute | undefined>(DEGRADABLE_ROUTE, handler)?.feature;
        const sheddable = feature !== undefined && this.switches.declaration(feature)?.essential === false;
        const criticality = this.reflector.get<Criticality | undefined>(CRITICALITY, handler) ?? controllerLevel ?? (sheddable ? 'sheddable' : 'essential');
        routes.push({ method: RequestMethod[requestMethod], match, criticality });
      }
    }
    return routes;
  }
}
