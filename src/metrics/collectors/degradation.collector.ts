import { Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { FeatureSwitches, SWITCH_STATES, type SwitchInfo } from '../../degradation';
import { registerExposed, type ExposedMetric, type Sample } from '../exposed.metric';
import type { MetricsCollector } from '../metrics.types';

/**
 * The degradation families, from `FeatureSwitches.stats()` on scrape: each
 * switch's state (1 on the current one, label `feature`), its changes split
 * into `manual` (override, file, env) and `automatic` (load shedding),
 * fallback and 503 answers, and load shedding's state and measurements.
 */
@Injectable()
export class DegradationMetricsCollector implements MetricsCollector {
  constructor(private readonly switches: FeatureSwitches) {}

  register(registry: Registry): void {
    const perSwitch = (name: string, help: string, type: ExposedMetric['type'], samples: (s: SwitchInfo) => Sample[]): void =>
      registerExposed(registry, { name, help, type, samples: () => this.switches.list().flatMap(samples) });
    perSwitch('bulwark_switch_state', 'Feature switch state: 1 on the current one, 0 on the others.', 'gauge', (s) =>
      SWITCH_STATES.map((state) => ({ labels: { feature: s.feature, state }, value: s.state === state ? 1 : 0 })),
    );
    perSwitch(
      'bulwark_switch_changes_total',
      'Changes of the effective state, by source: automatic (load shedding) or manual (override, file, env).',
      'counter',
      (s) => [
        { labels: { feature: s.feature, source: 'manual' }, value: s.changes - s.automaticChanges },
        { labels: { feature: s.feature, source: 'automatic' }, value: s.automaticChanges },
      ],
    );
    perSwitch(
      'bulwark_switch_degraded_answers_total',
      'Requests the switch kept from the handler: answered by the fallback, or rejected with 503.',
      'counter',
      (s) => [
        { labels: { feature: s.feature, answer: 'fallback' }, value: s.fallbacksServed },
        { labels: { feature: s.feature, answer: 'rejected' }, value: s.rejected },
      ],
    );
    const shedding = (name: string, help: string, type: ExposedMetric['type'], value: () => number): void =>
      registerExposed(registry, { name, help, type, samples: () => [{ labels: {}, value: value() }] });
    shedding('bulwark_shedding_active', 'Load shedding holds non-essential features in fallback (1) or not (0).', 'gauge', () =>
      this.switches.stats().shedding.active ? 1 : 0,
    );
    shedding('bulwark_shedding_activations_total', 'Times load shedding started.', 'counter', () => this.switches.stats().shedding.activations);
  }
}
