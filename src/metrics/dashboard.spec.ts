import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { CacheService } from '../cache';
import { loggingConfig, createRootLogger } from '../logging';
import type { FeatureSwitches } from '../degradation';
import type { JobsRegistry } from '../jobs';
import type { OverloadProtection } from '../overload';
import type { ResilienceRegistry } from '../resilience';
import type { Schedules } from '../schedules';
import type { WriteBehindRegistry } from '../write-behind';
import { CacheMetricsCollector } from './collectors/cache.collector';
import { DegradationMetricsCollector } from './collectors/degradation.collector';
import { JobsMetricsCollector } from './collectors/jobs.collector';
import { LoggingMetricsCollector } from './collectors/logging.collector';
import { OverloadMetricsCollector } from './collectors/overload.collector';
import { ProcessMetricsCollector } from './collectors/process.collector';
import { ResilienceMetricsCollector } from './collectors/resilience.collector';
import { SchedulesMetricsCollector } from './collectors/schedules.collector';
import { WriteBehindMetricsCollector } from './collectors/write-behind.collector';
import { HttpMetrics } from './http.metrics';

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Array<{ expr: string }>;
}

describe('deploy/grafana/bulwark.json', () => {
  const dashboard = JSON.parse(readFileSync(join(__dirname, '..', '..', 'deploy', 'grafana', 'bulwark.json'), 'utf8')) as {
    uid: string;
    templating: { list: Array<{ name: string; type: string; query: unknown }> };
    panels: Panel[];
  };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');

  /** Every family the app's collectors register today. */
  async function implementedFamilies(): Promise<Set<string>> {
    const registry = new Registry();
    const cache = { stats: () => ({ l2Breaker: 'closed' }), hotKeys: () => [] } as unknown as CacheService;
    new HttpMetrics().register(registry);
    new CacheMetricsCollector(cache).register(registry);
    new LoggingMetricsCollector(createRootLogger(loggingConfig.map(loggingConfig.env.parse({})))).register(registry);
    new ProcessMetricsCollector().register(registry);
    new WriteBehindMetricsCollector({ stats: async () => [] } as unknown as WriteBehindRegistry).register(registry);
    new ResilienceMetricsCollector({ stats: () => [] } as unknown as ResilienceRegistry).register(registry);
    new DegradationMetricsCollector({ list: () => [], stats: () => ({ shedding: { active: false, activations: 0 } }) } as unknown as FeatureSwitches).register(
      registry,
    );
    new JobsMetricsCollector({ all: () => [] } as unknown as JobsRegistry).register(registry);
    new SchedulesMetricsCollector({ all: () => [] } as unknown as Schedules).register(registry);
    const admitted = { critical: 0, essential: 0, sheddable: 0 };
    new OverloadMetricsCollector({ snapshot: () => ({ admitted, rejected: admitted, noLoadLatencyMs: null }) } as unknown as OverloadProtection).register(
      registry,
    );
    return new Set((await registry.getMetricsAsJSON()).map((metric) => metric.name));
  }

  it('has a Prometheus data-source variable that every panel uses', () => {
    expect(dashboard.uid).toBe('bulwark-overview');
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(panels.length).toBeGreaterThan(20);
    for (const panel of panels) {
      expect(panel.datasource?.uid).toBe('${datasource}');
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
  });

  it('queries only families the app exports', async () => {
    const known = await implementedFamilies();
    const used = new Set<string>();
    for (const panel of panels) {
      for (const { expr } of panel.targets!) {
        for (const [name] of expr.matchAll(/\b(?:bulwark|nodejs|process)_[a-z0-9_]+/g)) used.add(name.replace(/_(bucket|sum|count)$/, ''));
      }
    }
    expect([...used].filter((name) => !known.has(name))).toEqual([]);
    // Every area of the issue is on the dashboard.
    for (const prefix of [
      'bulwark_http_',
      'bulwark_cache_',
      'bulwark_breaker_',
      'bulwark_policy_',
      'bulwark_switch_',
      'bulwark_write_behind_',
      'bulwark_jobs_',
      'bulwark_schedule_',
      'nodejs_eventloop_',
    ]) {
      expect([...used].some((name) => name.startsWith(prefix))).toBe(true);
    }
  });
});
