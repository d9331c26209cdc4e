import type { Metric, Registry } from 'prom-client';

/** One sample as prom-client's registry renders it (`metricName` defaults to the metric's name). */
export interface Sample {
  readonly metricName?: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/**
 * A metric whose samples are computed on scrape from state kept elsewhere,
 * in the shape prom-client's `Registry` renders (it only calls `get()`,
 * and `reset()` on `resetMetrics()`). Used where prom-client's own
 * `observe()`/`inc()` would cost too much per request: they build a label
 * hash string and validate labels on every call.
 */
export interface ExposedMetric {
  readonly name: string;
  readonly help: string;
  /**
   * The Prometheus type. A `histogram`'s samples are its `_bucket` (label
   * `le`), `_sum` and `_count`; a `summary`'s are the family's own name with
   * label `quantile` (a number, 0 … 1), `_sum` and `_count`. Both labels are
   * reserved to these types (`promtool check metrics` flags them elsewhere).
   */
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary';
  /** The samples, on scrape; may be async (read from Redis, say). */
  readonly samples: () => Sample[] | Promise<Sample[]>;
}

/** Registers `metric` in `registry` (name clashes throw, as for prom-client's own metrics). */
export function registerExposed(registry: Registry, metric: ExposedMetric): void {
  const adapter = {
    name: metric.name,
    help: metric.help,
    type: metric.type,
    aggregator: 'sum',
    collect: () => undefined,
    reset: () => undefined,
    get: async () => ({ name: metric.name, help: metric.help, type: metric.type, aggregator: 'sum', values: await metric.samples() }),
  };
  registry.registerMetric(adapter as unknown as Metric);
}
