import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { POLICY_SIGNAL, USE_RESILIENCE } from './resilience.constants';
import { ResilienceRegistry } from './resilience.registry';

/**
 * Runs a `@UseResilience(name)` handler under policy `name`: each attempt
 * re-runs the handler (pipes included), under the timeout and the breaker.
 * The attempt's signal is on the request for `@PolicySignal()`. Errors of
 * the policy reach the exception filter as 503 problems with Retry-After.
 */
@Injectable()
export class ResilienceInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: ResilienceRegistry,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const name = this.reflector.getAllAndOverride<string | undefined>(USE_RESILIENCE, [context.getHandler(), context.getClass()]);
    if (name === undefined) return next.handle();
    const policy = this.registry.get(name);
    const request = context.switchToHttp().getRequest<Record<symbol, unknown>>();
    return from(
      policy.execute((signal) => {
        request[POLICY_SIGNAL] = signal;
        return lastValueFrom(next.handle(), { defaultValue: undefined });
      }),
    );
  }
}
