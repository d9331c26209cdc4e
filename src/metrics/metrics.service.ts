import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import cluster from 'node:cluster';
import { Registry } from 'prom-client';
import { appConfig, type AppConfig, InjectConfig } from '../config';
import { metricsConfig, type MetricsConfig } from './metrics.config';
import type { MetricsCollector } from './metrics.types';
import { ProcessMetricsLink } from './process-metrics';

/** How long a scrape waits for the primary to gather every process's metrics. */
const MACHINE_SCRAPE_TIMEOUT_MS = 2_000;

/**
 * Owns the app's own prom-client `Registry` (never the global one, so tests
 * and several apps in one process do not share series) and renders it in
 * the Prometheus text format. When `METRICS_ENABLED=false`, collectors are
 * never registered and nothing is collected. One of several app processes
 * (`APP_PROCESSES`) renders the whole machine's metrics, each series
 * labelled with its process (see `process-metrics.ts`).
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly machine?: ProcessMetricsLink;

  constructor(
    @InjectConfig(metricsConfig) private readonly config: MetricsConfig,
    @InjectConfig(appConfig) app: AppConfig,
  ) {
    // One of a primary's app processes (the index alone, without the IPC channel to the primary, is not enough).
    if (config.enabled && cluster.isWorker && app.processIndex !== undefined) {
      this.machine = new ProcessMetricsLink(this.registry, MACHINE_SCRAPE_TIMEOUT_MS);
      this.machine.install();
    }
  }

  onModuleDestroy(): void {
    this.machine?.uninstall();
  }

  /** `METRICS_ENABLED`. */
  get enabled(): boolean {
    return this.config.enabled;
  }

  /** Registers `collector`'s metrics; does nothing when metrics are disabled. */
  add(collector: MetricsCollector): void {
    if (this.config.enabled) collector.register(this.registry);
  }

  /** The exposition, `collect()` callbacks run now (in every process of the machine, when there are several). */
  render(): Promise<string> {
    return this.machine ? this.machine.render() : this.registry.metrics();
  }

  /** `text/plain; version=0.0.4; charset=utf-8`. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
