import { UseInterceptors, type NestInterceptor } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { Degradable } from './degradable.decorator';
import { DEGRADABLE_ROUTE } from './degradation.constants';
import { DegradationInterceptor } from './degradation.interceptor';

class OtherInterceptor implements NestInterceptor {
  intercept(): never {
    throw new Error('not called');
  }
}

/** `@Degradable` must run before any other interceptor of the route (a cache one must never store a fallback). */
describe('@Degradable', () => {
  const fallback = () => ({ items: [] });

  class Routes {
    @Degradable('recs', { fallback })
    @UseInterceptors(OtherInterceptor)
    above(): void {}

    @UseInterceptors(OtherInterceptor)
    @Degradable('recs')
    below(): void {}
  }

  it('puts its interceptor first whatever the decorator order', () => {
    for (const handler of [Routes.prototype.above, Routes.prototype.below]) {
      expect(Reflect.getMetadata(INTERCEPTORS_METADATA, handler)).toEqual([DegradationInterceptor, OtherInterceptor]);
    }
  });

  it('records the feature and the route fallback', () => {
    expect(Reflect.getMetadata(DEGRADABLE_ROUTE, Routes.prototype.above)).toEqual({ feature: 'recs', fallback });
    expect(Reflect.getMetadata(DEGRADABLE_ROUTE, Routes.prototype.below)).toEqual({ feature: 'recs' });
  });
});
