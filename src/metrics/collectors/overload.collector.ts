import { Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { CRITICALITIES, OverloadProtection } from '../../overload';
import { registerExposed, type ExposedMetric } from '../exposed.metric';
import type { MetricsCollector } from '../metrics.types';

/** The overload limiter's families, from `OverloadProtection.snapshot()` on scrape. */
@Injectable()
export class OverloadMetricsCollector implements MetricsCollector {
  constructor(private readonly overload: OverloadProtection) {}

  register(registry: Registry): void {
    const one = (name: string, help: string, type: ExposedMetric['type'], value: () => number): void =>
      registerExposed(registry, { name, help, type, samples: () => [{ labels: {}, value: value() }] });
    const snapshot = () => this.overload.snapshot();
    one('bulwark_overload_enabled', 'Overload protection is on (1) or off (0).', 'gauge', () => (snapshot().enabled ? 1 : 0));
    one('bulwark_overload_limit', 'The concurrency limit in force (adaptive or pinned).', 'gauge', () => snapshot().limit);
    one('bulwark_overload_limit_pinned', 'The limit is pinned by an operator (1) or adaptive (0).', 'gauge', () => (snapshot().pinned ? 1 : 0));
    one('bulwark_overload_in_flight', 'Limited requests in flight (critical requests and fresh L1 hits are not counted).', 'gauge', () => snapshot().inFlight);
    one('bulwark_overload_queued', 'Essential requests waiting for room under the limit.', 'gauge', () => snapshot().queued);
    one(
      'bulwark_overload_queue_timeouts_total',
      'Queued requests refused because they waited OVERLOAD_QUEUE_TIMEOUT_MS.',
      'counter',
      () => snapshot().queueTimeouts,
    );
    one(
      'bulwark_overload_standing_queue',
      'The queue stood a whole OVERLOAD_QUEUE_TIMEOUT_MS (1): requests over the limit are refused at once instead of queued.',
      'gauge',
      () => (snapshot().standingQueue ? 1 : 0),
    );
    one(
      'bulwark_overload_no_load_latency_seconds',
      'The estimated latency of a request without queueing (0 until measured).',
      'gauge',
      () => (snapshot().noLoadLatencyMs ?? 0) / 1000,
    );
    const perClass = (name: string, help: string, pick: (s: ReturnType<typeof snapshot>) => Record<string, number>): void =>
      registerExposed(registry, {
        name,
        help,
        type: 'counter',
        samples: () => {
          const counts = pick(snapshot());
          return CRITICALITIES.map((criticality) => ({ labels: { criticality }, value: counts[criticality] }));
        },
      });
    perClass('bulwark_overload_admitted_total', 'Requests admitted, by criticality.', (s) => s.admitted);
    perClass('bulwark_overload_rejected_total', 'Requests refused with 503 E_OVERLOADED, by criticality.', (s) => s.rejected);
  }
}
