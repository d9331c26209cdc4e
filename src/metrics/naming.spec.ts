import { Registry } from 'prom-client';
import type { CacheService } from '../cache';
import { loggingConfig, createRootLogger } from '../logging';
import type { FeatureSwitches } from '../degradation';
import type { ResilienceRegistry } from '../resilience';
import { BATCH_SIZE_BOUNDS, type WriteBehindSnapshot, type WriteBehindRegistry } from '../write-behind';
import { CacheMetricsCollector } from './collectors/cache.collector';
import { DegradationMetricsCollector } from './collectors/degradation.collector';
import { LoggingMetricsCollector } from './collectors/logging.collector';
import { ResilienceMetricsCollector } from './collectors/resilience.collector';
import { WriteBehindMetricsCollector } from './collectors/write-behind.collector';
import { HttpMetrics } from './http.metrics';

/** A write-behind snapshot with every number set (the flush-lag and batch-size families need some). */
const snapshot = {
  entity: 'products',
  ...Object.fromEntries(
    [
      'enqueued',
      'coalesced',
      'syncWrites',
      'rejected',
      'unconfirmed',
      'batches',
      'flushedRows',
      'flushCalls',
      'batchSizeMax',
      'retries',
      'deferredRetries',
      'deadLettered',
      'handedBack',
    ].map((key) => [key, 3]),
  ),
  waiting: 1,
  delayed: 0,
  active: 0,
  deadLetters: 0,
  stalled: 0,
  oldestWaitingAgeMs: 1500,
  backlogOverBound: false,
  databaseOutage: false,
  outagePauses: 0,
  flushLagMs: { p50: 20, p99: 250, max: 400 },
  flushLagCount: 3,
  flushLagSumMs: 470,
  batchSizeBuckets: BATCH_SIZE_BOUNDS.map(() => 0).concat(0),
} as unknown as WriteBehindSnapshot;

/** A registry with every `bulwark_` collector (prom-client's default process metrics are not ours). */
function registry(): Registry {
  const r = new Registry();
  const cache = { stats: () => ({ l2Breaker: 'closed' }), hotKeys: () => [] } as unknown as CacheService;
  new HttpMetrics().register(r);
  new CacheMetricsCollector(cache).register(r);
  new LoggingMetricsCollector(createRootLogger(loggingConfig.map(loggingConfig.env.parse({})))).register(r);
  new WriteBehindMetricsCollector({ stats: async () => [snapshot] } as unknown as WriteBehindRegistry).register(r);
  new ResilienceMetricsCollector({ stats: () => [] } as unknown as ResilienceRegistry).register(r);
  new DegradationMetricsCollector({ list: () => [], stats: () => ({ shedding: { active: false, activations: 0 } }) } as unknown as FeatureSwitches).register(r);
  return r;
}

/** The families as plain strings (prom-client types `type` as an enum of the same strings). */
async function families(): Promise<Array<{ name: string; type: string; help: string }>> {
  return (await registry().getMetricsAsJSON()) as unknown as Array<{ name: string; type: string; help: string }>;
}

/** Abbreviated units promtool's linter rejects in a name (`_ms`, `_sec`, `_kb`, …): base units, spelt out. */
const ABBREVIATED_UNITS = new Set(['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd']);

describe('metric names follow the Prometheus conventions', () => {
  it('every bulwark_ family: snake case, help text, _total on counters only, no reserved suffix, spelt-out units', async () => {
    const all = await families();
    expect(all.length).toBeGreaterThan(50);
    const problems: string[] = [];
    for (const { name, type, help } of all) {
      if (!/^bulwark_[a-z0-9]+(?:_[a-z0-9]+)*$/.test(name)) problems.push(`${name}: not bulwark_ snake case`);
      if (!help || help.trim() === '') problems.push(`${name}: no help text`);
      if ((type === 'counter') !== name.endsWith('_total')) problems.push(`${name}: ${type} ${type === 'counter' ? 'without' : 'with'} _total`);
      if (/_(bucket|sum|count)$/.test(name)) problems.push(`${name}: ends in a suffix reserved to histograms and summaries`);
      for (const token of name.split('_')) if (ABBREVIATED_UNITS.has(token)) problems.push(`${name}: abbreviated unit "${token}"`);
    }
    expect(problems).toEqual([]);
  });

  it('no two families share a name once counters drop _total (OpenMetrics family names), nor a sample name', async () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const { name, type } of await families()) {
      const base = type === 'counter' ? name.replace(/_total$/, '') : name;
      const samples =
        type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : type === 'summary' ? [name, `${name}_sum`, `${name}_count`] : [name];
      for (const used of new Set([base, ...samples])) {
        if (owner.has(used)) clashes.push(`${used}: ${owner.get(used)} and ${name}`);
        owner.set(used, name);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('exposes the flush lag as a summary: numeric quantile labels, _sum and _count in seconds', async () => {
    const text = await registry().metrics();
    const lines = text
      .split('\n')
      .filter((line) => line.startsWith('bulwark_write_behind_flush_lag_seconds') || line.includes(' bulwark_write_behind_flush_lag_seconds '));
    expect(lines).toEqual([
      expect.stringMatching(/^# HELP bulwark_write_behind_flush_lag_seconds /),
      '# TYPE bulwark_write_behind_flush_lag_seconds summary',
      'bulwark_write_behind_flush_lag_seconds{queue="products",quantile="0.5"} 0.02',
      'bulwark_write_behind_flush_lag_seconds{queue="products",quantile="0.99"} 0.25',
      'bulwark_write_behind_flush_lag_seconds{queue="products",quantile="1"} 0.4',
      'bulwark_write_behind_flush_lag_seconds_sum{queue="products"} 0.47',
      'bulwark_write_behind_flush_lag_seconds_count{queue="products"} 3',
    ]);
    // `quantile` on summaries only, `le` on histogram buckets only.
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => [name, type]));
    const misplaced = text
      .split('\n')
      .filter((line) => /^bulwark_/.test(line))
      .filter((line) => {
        const name = /^[a-z0-9_]+/.exec(line)![0];
        const family = [...types.keys()].find((f) => name === f || name === `${f}_bucket` || name === `${f}_sum` || name === `${f}_count`)!;
        if (line.includes('quantile="')) return types.get(family) !== 'summary';
        if (line.includes('le="')) return types.get(family) !== 'histogram' || !name.endsWith('_bucket');
        return false;
      });
    expect(misplaced).toEqual([]);
  });
});
