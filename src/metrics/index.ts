/** Prometheus metrics: the registry, the module and each capability's collector. */
export { CacheMetricsCollector } from './collectors/cache.collector';
export { DegradationMetricsCollector } from './collectors/degradation.collector';
export { JobsMetricsCollector } from './collectors/jobs.collector';
export { LoggingMetricsCollector } from './collectors/logging.collector';
export { OverloadMetricsCollector } from './collectors/overload.collector';
export { SchedulesMetricsCollector } from './collectors/schedules.collector';
export { ResilienceMetricsCollector } from './collectors/resilience.collector';
export { WriteBehindMetricsCollector } from './collectors/write-behind.collector';
export { HttpMetrics } from './http.metrics';
export { metricsConfig } from './metrics.config';
export { MetricsModule } from './metrics.module';
export { MetricsService } from './metrics.service';
export type { MetricsCollector } from './metrics.types';
export { PROCESS_INDEX_ENV, isProcessMetricsMessage, mergeProcessFamilies, renderFamilies } from './process-metrics';
export type { MetricFamily, ProcessMetricsMessage } from './process-metrics';
