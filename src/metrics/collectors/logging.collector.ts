import { Inject, Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { ROOT_LOGGER, type RootLogger } from '../../logging';
import { registerExposed } from '../exposed.metric';
import type { MetricsCollector } from '../metrics.types';

/**
 * The log rate limiter's counts, on scrape: `bulwark_log_suppressed_total`
 * by level and `bulwark_log_templates_tracked`. Nothing when
 * `LOG_RATE_LIMIT_ENABLED=false`.
 */
@Injectable()
export class LoggingMetricsCollector implements MetricsCollector {
  constructor(@Inject(ROOT_LOGGER) private readonly root: RootLogger) {}

  register(registry: Registry): void {
    const limiter = this.root.limiter;
    if (!limiter) return;
    registerExposed(registry, {
      name: 'bulwark_log_suppressed_total',
      help: 'Log lines dropped by the per-template rate limit, by level (each template gets a summary line per window).',
      type: 'counter',
      samples: () => Object.entries(limiter.stats().suppressedByLevel).map(([level, value]) => ({ labels: { level }, value })),
    });
    registerExposed(registry, {
      name: 'bulwark_log_templates_tracked',
      help: 'Message templates with their own rate-limit bucket (bounded by LOG_RATE_LIMIT_MAX_TEMPLATES).',
      type: 'gauge',
      samples: () => [{ labels: {}, value: limiter.stats().templates }],
    });
  }
}
