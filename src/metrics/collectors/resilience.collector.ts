import { Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { ResilienceRegistry, CALL_OUTCOMES, type PolicyStats } from '../../resilience';
import { registerExposed, type ExposedMetric, type Sample } from '../exposed.metric';
import type { MetricsCollector } from '../metrics.types';

const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/**
 * The resilience families (label `policy`), from `ResilienceRegistry.stats()`
 * on scrape: breaker state (1 on the current one), forced or not, calls by
 * outcome, retries, retry-budget exhaustions, slow calls, times opened, and
 * bulkhead occupancy.
 */
@Injectable()
export class ResilienceMetricsCollector implements MetricsCollector {
  constructor(private readonly policies: ResilienceRegistry) {}

  register(registry: Registry): void {
    const family = (name: string, help: string, type: ExposedMetric['type'], samples: (p: PolicyStats) => Sample[]): void =>
      registerExposed(registry, { name, help, type, samples: () => this.policies.stats().flatMap(samples) });
    const one = (name: string, help: string, type: ExposedMetric['type'], value: (p: PolicyStats) => number): void =>
      family(name, help, type, (p) => [{ labels: { policy: p.name }, value: value(p) }]);
    family('bulwark_breaker_state', 'Circuit breaker of each policy: 1 on the current state, 0 on the others.', 'gauge', (p) =>
      BREAKER_STATES.map((state) => ({ labels: { policy: p.name, state: state.replace('-', '_') }, value: p.state === state ? 1 : 0 })),
    );
    one('bulwark_breaker_forced', 'Whether an operator forces the breaker (1) or it runs on its window (0).', 'gauge', (p) => (p.forced === null ? 0 : 1));
    one('bulwark_breaker_opened_total', 'Times the breaker opened by itself.', 'counter', (p) => p.opened);
    family('bulwark_policy_calls_total', 'Calls through each policy, by final outcome.', 'counter', (p) =>
      CALL_OUTCOMES.map((outcome) => ({ labels: { policy: p.name, outcome }, value: p.calls[outcome] })),
    );
    one('bulwark_policy_retries_total', 'Attempts after the first.', 'counter', (p) => p.retries);
    one('bulwark_policy_retry_budget_exhausted_total', 'Retries refused because the retry budget was spent.', 'counter', (p) => p.budgetExhausted);
    one('bulwark_policy_slow_calls_total', 'Attempts slower than the breaker slow-call threshold.', 'counter', (p) => p.slowCalls);
    family('bulwark_policy_bulkhead', 'Calls running in, and queued for, the bulkhead now.', 'gauge', (p) => [
      { labels: { policy: p.name, state: 'active' }, value: p.bulkhead.active },
      { labels: { policy: p.name, state: 'queued' }, value: p.bulkhead.queued },
    ]);
  }
}
