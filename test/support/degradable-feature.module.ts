import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { Cached } from '../../src/cache/cached.decorator';
import { Degradable } from '../../src/degradation/degradable.decorator';
import { DegradationModule } from '../../src/degradation/degradation.module';
import type { DegradationFallback, FallbackContext } from '../../src/degradation/degradation.types';

/**
 * A test-only feature that uses the degradation kit through its public API only, so the e2e
 * tests prove the kit itself:
 * - `widgets`: non-essential, with a feature-level fallback (a plain function);
 * - `gadgets`: non-essential, no fallback (503 when off);
 * - `gizmos`: non-essential, its route's fallback is an injectable provider class;
 * - `ledger`: essential (never shed).
 * {@link handlerCalls} counts handler runs, so a test can see a degraded route never reached it.
 */
export const handlerCalls = { widgets: 0, gadgets: 0, gizmos: 0, ledger: 0, slow: 0 };

/** Requests to `GET /test-feature/slow` wait until {@link releaseSlow} is called. */
let releaseWaiting: Array<() => void> = [];
export function releaseSlow(): void {
  for (const release of releaseWaiting) release();
  releaseWaiting = [];
}

/** The `gizmos` route's fallback: a provider class, resolved from the container. */
@Injectable()
export class GizmoFallback implements DegradationFallback {
  answer(context: FallbackContext): unknown {
    return { source: 'provider-fallback', state: context.state, url: context.request.url };
  }
}

@Controller('test-feature')
class TestFeatureController {
  @Get('widgets')
  @Degradable('widgets')
  widgets(): unknown {
    handlerCalls.widgets += 1;
    return { source: 'handler' };
  }

  @Get('gadgets')
  @Degradable('gadgets')
  gadgets(): unknown {
    handlerCalls.gadgets += 1;
    return { source: 'handler' };
  }

  @Get('gizmos')
  @Degradable('gizmos', { fallback: GizmoFallback })
  gizmos(): unknown {
    handlerCalls.gizmos += 1;
    return { source: 'handler' };
  }

  @Get('ledger')
  @Degradable('ledger')
  ledger(): unknown {
    handlerCalls.ledger += 1;
    return { source: 'handler' };
  }

  /** Cached and switched: the cache's fast path must not answer it while `widgets` is not on. */
  @Get('cached-widget')
  @Cached({ key: 'test-feature:cached-widget' })
  @Degradable('widgets')
  cachedWidget(): unknown {
    handlerCalls.widgets += 1;
    return { source: 'handler', cached: true };
  }

  @Get('slow')
  async slow(): Promise<unknown> {
    handlerCalls.slow += 1;
    await new Promise<void>((resolve) => releaseWaiting.push(resolve));
    return { source: 'handler' };
  }
}

@Module({
  imports: [
    DegradationModule.forFeature({ feature: 'widgets', essential: false, fallback: ({ state }) => ({ source: 'fallback', state }) }),
    DegradationModule.forFeature({ feature: 'gadgets', essential: false }),
    DegradationModule.forFeature({ feature: 'gizmos', essential: false }),
    DegradationModule.forFeature({ feature: 'ledger', essential: true, fallback: () => ({ source: 'fallback' }) }),
  ],
  controllers: [TestFeatureController],
  providers: [GizmoFallback],
})
export class TestFeatureModule {}
