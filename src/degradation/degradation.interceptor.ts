import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defer, throwError, type Observable } from 'rxjs';
import { InjectConfig } from '../config';
import { degradationConfig, type DegradationConfig } from './degradation.config';
import type { DegradableRoute } from './degradable.decorator';
import { DEGRADABLE_ROUTE, DEGRADED_HEADER } from './degradation.constants';
import { FeatureDisabledError } from './degradation.errors';
import type { DegradationFallback, Fallback, FallbackContext, FallbackFn } from './degradation.types';
import { FeatureSwitches } from './feature-switches.service';
import { LogThrottle } from '../logging';

/**
 * The interceptor behind `@Degradable()`: a switch read per request (a Map lookup); when the
 * feature is `on`, the handler runs as usual. Otherwise the handler is skipped and the fallback
 * answers (the route's, else the feature's; a provider class is resolved from the container), or
 * a 503 `E_FEATURE_DISABLED` when there is none. Each such answer is counted per feature
 * (`fallbacksServed`, `rejected` in `FeatureSwitches.stats()`) and logged, at most one line per
 * 10 s with the number of lines left out.
 */
@Injectable()
export class DegradationInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Degradation');
  private readonly throttle = new LogThrottle(0.1, 1);

  constructor(
    private readonly reflector: Reflector,
    private readonly switches: FeatureSwitches,
    private readonly moduleRef: ModuleRef,
    @InjectConfig(degradationConfig) private readonly config: DegradationConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const route = this.reflector.get<DegradableRoute | undefined>(DEGRADABLE_ROUTE, context.getHandler());
    if (!route) return next.handle();
    const state = this.switches.state(route.feature);
    if (state === 'on') return next.handle();

    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    void http.getResponse<FastifyReply>().header(DEGRADED_HEADER, route.feature).header('cache-control', 'no-store');
    const fallback = route.fallback ?? this.switches.declaration(route.feature)?.fallback;
    this.log(route.feature, state, fallback !== undefined);
    if (fallback === undefined) {
      this.switches.countRejected(route.feature);
      return throwError(() => new FeatureDisabledError(route.feature, this.config.retryAfterSeconds));
    }
    this.switches.countFallback(route.feature);
    const fallbackContext: FallbackContext = { feature: route.feature, state, request };
    return defer(async () => this.resolve(fallback)(fallbackContext));
  }

  private resolve(fallback: Fallback): FallbackFn {
    if (!isFallbackClass(fallback)) return fallback as FallbackFn;
    const instance = this.moduleRef.get<DegradationFallback>(fallback, { strict: false });
    return (context) => instance.answer(context);
  }

  private log(feature: string, state: string, hasFallback: boolean): void {
    const suppressed = this.throttle.take();
    if (suppressed === undefined) return;
    this.logger.log({ feature, state, suppressed }, `${feature} is ${state}: ${hasFallback ? 'answering its fallback' : 'answering 503'}`);
  }
}

/** A provider class (has `answer` on its prototype) rather than a plain function. */
function isFallbackClass(fallback: Fallback): boolean {
  const prototype = (fallback as { prototype?: { answer?: unknown } }).prototype;
  return typeof prototype?.answer === 'function';
}
