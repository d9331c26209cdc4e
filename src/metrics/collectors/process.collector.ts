import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, type Registry } from 'prom-client';
import type { MetricsCollector } from '../metrics.types';

/**
 * prom-client's default process metrics: CPU, resident memory, heap, open
 * file descriptors, GC durations, active handles, and the event-loop delay
 * (`nodejs_eventloop_lag_seconds`, `nodejs_eventloop_lag_p99_seconds`, …,
 * sampled every 10 ms by `monitorEventLoopDelay`).
 */
@Injectable()
export class ProcessMetricsCollector implements MetricsCollector {
  register(registry: Registry): void {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  }
}
