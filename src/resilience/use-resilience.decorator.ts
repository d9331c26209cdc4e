import { applyDecorators, createParamDecorator, SetMetadata, UseInterceptors, type ExecutionContext } from '@nestjs/common';
import { describeRoute } from '../http';
import { POLICY_SIGNAL, USE_RESILIENCE } from './resilience.constants';
import { ResilienceInterceptor } from './resilience.interceptor';

/**
 * Runs a route (or every route of a controller) under the named policy:
 * timeout, breaker, bulkhead and retries around the handler. Pair it with
 * `@PolicySignal()` to hand the attempt's AbortSignal to `fetch`.
 *
 * @example
 * ```ts
 * @Get(':id/price')
 * @UseResilience('pricing')
 * price(@Param('id') id: string, @PolicySignal() signal: AbortSignal) { return this.pricing.fetch(id, signal); }
 * ```
 */
export function UseResilience(name: string): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(USE_RESILIENCE, name),
    UseInterceptors(ResilienceInterceptor),
    describeRoute({
      problems: [
        { status: 503, code: 'E_BREAKER_OPEN', when: `the \`${name}\` breaker is open: the call was not made` },
        { status: 503, code: 'E_TIMEOUT', when: `the call took longer than the \`${name}\` policy's timeout` },
        { status: 503, code: 'E_BULKHEAD_FULL', when: `too many concurrent calls under the \`${name}\` policy` },
      ],
    }),
  );
}

/** The AbortSignal of the current attempt of a `@UseResilience()` route (a never-aborting one outside such routes). */
export const PolicySignal = createParamDecorator((_data: unknown, context: ExecutionContext): AbortSignal => {
  const request = context.switchToHttp().getRequest<Record<symbol, unknown>>();
  return (request[POLICY_SIGNAL] as AbortSignal | undefined) ?? new AbortController().signal;
});
