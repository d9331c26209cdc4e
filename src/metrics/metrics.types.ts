import type { Registry } from 'prom-client';

/**
 * One capability's metrics. `register` creates them in the app's registry,
 * once and only when metrics are enabled; each metric reads the capability's
 * public `stats()` snapshot in its `collect()` callback, on scrape, so the
 * capability itself pays nothing per operation beyond its own plain counters.
 * Add one with `MetricsModule.forFeature([MyCollector])`; see
 * `collectors/cache.collector.ts` for the pattern.
 */
export interface MetricsCollector {
  register(registry: Registry): void;
}
