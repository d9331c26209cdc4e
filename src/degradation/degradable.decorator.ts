import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { z } from 'zod';
import { describeRoute } from '../http';
import { DEGRADABLE_ROUTE, DEGRADED_HEADER } from './degradation.constants';
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
    describeRoute({
      headers: {
        [DEGRADED_HEADER]: {
          description: `Set (to \`${feature}\`) when the switch is not \`on\` and the fallback answered instead of the route.`,
          schema: z.literal(feature),
        },
      },
      problems: [{ status: 503, code: 'E_FEATURE_DISABLED', when: `the \`${feature}\` switch is \`off\`/\`fallback\` and the route has no fallback` }],
    })(_target, _key, descriptor);
    return descriptor;
  };
}
