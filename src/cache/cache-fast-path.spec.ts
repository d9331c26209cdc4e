import type { CanActivate, NestInterceptor } from '@nestjs/common';
import { DegradationInterceptor } from '../degradation';
import { ResilienceInterceptor } from '../resilience';
import { unreproducedEnhancers } from './cache-fast-path';
import { CacheInterceptor } from './cache.interceptor';

class AuthGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}
class AuditInterceptor implements NestInterceptor {
  intercept(): never {
    throw new Error('not run');
  }
}
class OwnCacheInterceptor extends CacheInterceptor {}

describe('unreproducedEnhancers (what keeps a cached route off the L1 fast path)', () => {
  it('proves a route with only the kit interceptors it reproduces before the cache, and anything after it', () => {
    expect(unreproducedEnhancers([], [CacheInterceptor])).toBeUndefined();
    expect(unreproducedEnhancers([], [DegradationInterceptor, CacheInterceptor])).toBeUndefined();
    // After the CacheInterceptor: never run on a hit (it answers without next.handle()).
    expect(unreproducedEnhancers([], [CacheInterceptor, AuditInterceptor, ResilienceInterceptor])).toBeUndefined();
  });

  it('excludes a route with any guard, as a class or an instance', () => {
    expect(unreproducedEnhancers([AuthGuard], [CacheInterceptor])).toBe('guards: AuthGuard');
    expect(unreproducedEnhancers([new AuthGuard()], [CacheInterceptor])).toBe('guards: AuthGuard');
    expect(unreproducedEnhancers([{ canActivate: () => true }], [CacheInterceptor])).toBe('guards: Object');
    // A request-scoped global whose class is unknown still counts.
    expect(unreproducedEnhancers([undefined], [CacheInterceptor])).toBe('guards: an unnamed enhancer');
  });

  it('excludes a route with an interceptor it does not reproduce before the cache (global and controller ones always are)', () => {
    expect(unreproducedEnhancers([], [new AuditInterceptor(), CacheInterceptor])).toBe('interceptors before the cache: AuditInterceptor');
    expect(unreproducedEnhancers([], [DegradationInterceptor, ResilienceInterceptor, CacheInterceptor])).toBe(
      'interceptors before the cache: ResilienceInterceptor',
    );
    expect(unreproducedEnhancers([], [undefined, CacheInterceptor])).toBe('interceptors before the cache: an unnamed enhancer');
  });

  it('excludes a route whose cache interceptor is not the kit one', () => {
    expect(unreproducedEnhancers([], [])).toBe('no CacheInterceptor');
    expect(unreproducedEnhancers([], [OwnCacheInterceptor])).toBe('no CacheInterceptor');
  });
});
