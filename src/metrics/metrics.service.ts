import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { InjectConfig } from '../config';
import { metricsConfig, type MetricsConfig } from './metrics.config';
import type { MetricsCollector } from './metrics.types';

/**
 * Owns the app's own prom-client `Registry` (never the global one, so tests
 * and several apps in one process do not share series) and renders it in
 * the Prometheus text format. When `METRICS_ENABLED=false`, collectors are
 * never registered and nothing is collected.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(@InjectConfig(metricsConfig) private readonly config: MetricsConfig) {}

  /** `METRICS_ENABLED`. */
  get enabled(): boolean {
    return this.config.enabled;
  }

  /** Registers `collector`'s metrics; does nothing when metrics are disabled. */
  add(collector: MetricsCollector): void {
    if (this.config.enabled) collector.register(this.registry);
  }

  /** The exposition, `collect()` callbacks run now. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** `text/plain; version=0.0.4; charset=utf-8`. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
