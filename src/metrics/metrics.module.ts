import { Global, Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import type { MetricsConfig } from './metrics.config';
import { ProcessMetricsCollector } from './collectors/process.collector';
import { HttpMetrics } from './http.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics.server';
import { MetricsService } from './metrics.service';
import type { MetricsCollector } from './metrics.types';

/** Holds one `forFeature()` registration's collectors. */
@Module({})
class MetricsFeatureModule {}

/**
 * Prometheus metrics: the app's registry (`MetricsService`), HTTP and process
 * metrics, and `GET /metrics` on the app port or on `METRICS_PORT`.
 * Capabilities add their collectors with {@link MetricsModule.forFeature}.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(config: MetricsConfig): DynamicModule {
    const ownPort = config.enabled && config.port > 0;
    return {
      module: MetricsModule,
      imports: [MetricsModule.forFeature([HttpMetrics, ProcessMetricsCollector])],
      providers: [MetricsService, ...(ownPort ? [MetricsServer] : [])],
      controllers: config.enabled && !ownPort ? [MetricsController] : [],
      exports: [MetricsService],
    };
  }

  /**
   * Registers `collectors` (injectable classes implementing
   * `MetricsCollector`) with the app's registry when metrics are enabled.
   * `imports` are the modules their dependencies come from, when those are
   * not global.
   *
   * @example
   * MetricsModule.forFeature([WriteBehindMetricsCollector], [WriteBehindModule])
   */
  static forFeature(collectors: ReadonlyArray<Type<MetricsCollector>>, imports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: MetricsFeatureModule,
      imports,
      providers: [
        ...collectors,
        {
          provide: Symbol(`metrics collectors: ${collectors.map((c) => c.name).join(', ')}`),
          inject: [MetricsService, ...collectors],
          useFactory: (metrics: MetricsService, ...instances: MetricsCollector[]) => {
            for (const collector of instances) metrics.add(collector);
            return true;
          },
        },
      ],
      exports: collectors as Type<MetricsCollector>[],
    };
  }
}
