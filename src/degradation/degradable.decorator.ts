import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { DEGRADABLE_ROUTE } from './degradation.constants';
import type { Fallback } from './degradation.types';
import { DegradationInterceptor } from './degradation.interceptor';

/** Options of `@Degradable()`. */
export interface DegradableOptions {
  /** This route's fallback; wins over the feature's (`forFeature({ fallback })`). @default the feature's, else 503 */
  readonly fallback?: Fallback;
}

/** What `@Degradable()` records on a handler. */
export interface DegradableRoute extends DegradableOptions {
  readonly feature: string;
}

/**
 * Puts a route behind `feature`'s switch. While the switch is `off` or `fallback`, the handler is
 * not called (so neither is any dependency it would touch): the route answers its fallback, or
 * 503 `E_FEATURE_DISABLED` with `Retry-After` when it has none. Such responses carry
 * `x-degraded: <feature>` and `Cache-Control: no-store`.
 *
 * Its interceptor is put first among the route's interceptors whatever the decorator order, so a
 * `@Cached()` route never caches a fallback as the real answer.
 *
 * @example
 * ```ts
 * @Get(':id/recommendations')
 * @Degradable('recommendations', { fallback: ({ request }) => ({ items: [] }) })
 * list(@Param('id', productId) id: number) { return this.recommendations.for(id); }
 * ```
 */
export function Degradable(feature: string, options: DegradableOptions = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    Reflect.defineMetadata(DEGRADABLE_ROUTE, { feature, ...options } satisfies DegradableRoute, handler);
    const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined) ?? [];
    Reflect.defineMetadata(INTERCEPTORS_METADATA, [DegradationInterceptor, ...interceptors], handler);
    return descriptor;
  };
}
