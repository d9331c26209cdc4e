import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LoadResult } from './load';
import type { OpenLoopResult } from './open-loop';
import type { LoadGenerator } from './settings';

/** One server's figures over all rounds: medians of rps, p50 and p99; errors and header values summed. */
export interface ServerSummary {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Measured responses by value of the scenario's `tallyHeader`, when it has one. */
  readonly headerValues?: Readonly<Record<string, number>>;
}

/** One entry of `bench/results/latest.json`. */
export interface ScenarioResult {
  readonly scenario: string;
  /** What loaded the closed-loop rounds: `wrk` or `autocannon` (see `BENCH_LOAD_GENERATOR`). */
  readonly load_generator: LoadGenerator;
  /** Requests per second of the target. */
  readonly rps: number;
  /** Products per response of the target; only for scenarios of more than one (every baseline serves one). */
  readonly items_per_request?: number;
  /** `rps × items_per_request`; only with `items_per_request`. */
  readonly products_per_s?: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly errors: number;
  readonly baselines: Record<string, { rps: number; p99_ms: number; rows_per_s?: number }>;
  /** Target rps / baseline rps by baseline name; products per second / baseline rps with `items_per_request`. */
  readonly ratios: Record<string, number>;
  /**
   * The median over rounds of the same ratio taken within each round (target
   * and baseline measured back to back), so a slowdown of the machine between
   * rounds cancels out.
   */
  readonly paired_ratios?: Record<string, number>;
  /**
   * The median over rounds of the ratio of rps per core of server CPU
   * (rps ÷ the server's busy share of its core): what each would serve with
   * its core saturated. It differs from `ratios` when the load generator, not
   * the server, is the limit (autocannon near 90 % of its core).
   */
  readonly per_core_ratios?: Record<string, number>;
  /** The figures of the scenario's `alongside` load (another route, same seconds, same servers); `scenario` is its label. */
  readonly alongside?: ScenarioResult;
  /** With `BENCH_STARTS` > 1: each start's ratios (the fields above are then the first start's, the ratios the medians). */
  readonly starts?: ReadonlyArray<Pick<ScenarioResult, 'rps' | 'ratios' | 'paired_ratios' | 'per_core_ratios'>>;
  /** Write scenarios: acknowledged writes landed in PostgreSQL per second (median of the rounds; see BENCHMARKS.md). */
  readonly rows_per_s?: number;
  /** Write scenarios: target rows_per_s / baseline rows_per_s by baseline name. */
  readonly rows_per_s_ratios?: Record<string, number>;
  /** Write scenarios: p99 time from enqueue to landing in PostgreSQL that the target reports (median of the rounds). */
  readonly flush_lag_ms?: number;
  /** Write scenarios with `atSaturationOf`: latencies of every server at one fixed rate, open loop. */
  readonly at_rate?: AtRateResult;
}

/** Every server of a scenario loaded at one fixed rate (`bench/open-loop.ts`); medians of the rounds, errors summed. */
export interface AtRateResult {
  /** Requests started per second. */
  readonly rate_per_s: number;
  readonly servers: Record<string, { rps: number; p50_ms: number; p99_ms: number; max_ms: number; errors: number }>;
}

/** Reduces the fixed-rate rounds of each server (by name) to medians and totals. */
export function summarizeAtRate(ratePerS: number, byServer: ReadonlyMap<string, readonly OpenLoopResult[]>): AtRateResult {
  const servers: AtRateResult['servers'] = {};
  for (const [name, rounds] of byServer) {
    servers[name] = {
      rps: round(median(rounds.map((r) => r.rps)), 0),
      p50_ms: round(median(rounds.map((r) => r.p50Ms)), 2),
      p99_ms: round(median(rounds.map((r) => r.p99Ms)), 2),
      max_ms: round(median(rounds.map((r) => r.maxMs)), 2),
      errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    };
  }
  return { rate_per_s: ratePerS, servers };
}

/** The median of `values` (the mean of the two middle ones when even); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Reduces the rounds of one server to medians (rps, latencies) and totals (errors, header values). */
export function summarize(rounds: readonly LoadResult[]): ServerSummary {
  const withHeaders = rounds.filter((r) => r.headerValues !== undefined);
  const headerValues: Record<string, number> = {};
  for (const r of withHeaders) for (const [value, n] of Object.entries(r.headerValues!)) headerValues[value] = (headerValues[value] ?? 0) + n;
  return {
    rps: round(median(rounds.map((r) => r.rps)), 0),
    p50Ms: round(median(rounds.map((r) => r.p50Ms)), 2),
    p99Ms: round(median(rounds.map((r) => r.p99Ms)), 2),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    ...(withHeaders.length > 0 ? { headerValues } : {}),
  };
}

/**
 * The JSON entry of a scenario, from the summaries of its target and
 * baselines. With `itemsPerRequest` above 1 it adds `items_per_request` and
 * `products_per_s`, and the ratios compare products per second.
 */
export function toResult(
  scenario: string,
  loadGenerator: LoadGenerator,
  target: ServerSummary,
  baselines: ReadonlyMap<string, ServerSummary>,
  itemsPerRequest = 1,
): ScenarioResult {
  const entries = [...baselines];
  const perItem = itemsPerRequest > 1;
  return {
    scenario,
    load_generator: loadGenerator,
    rps: target.rps,
    ...(perItem ? { items_per_request: itemsPerRequest, products_per_s: target.rps * itemsPerRequest } : {}),
    p50_ms: target.p50Ms,
    p99_ms: target.p99Ms,
    errors: target.errors,
    baselines: Object.fromEntries(entries.map(([name, b]) => [name, { rps: b.rps, p99_ms: b.p99Ms }])),
    ratios: Object.fromEntries(entries.map(([name, b]) => [name, round((target.rps * itemsPerRequest) / b.rps, 3)])),
  };
}

/**
 * A plain-text table: the target's row first, then one row per baseline with
 * the target/baseline ratio; a products/s column when a target response
 * carries several products (baselines: one per request).
 */
export function formatTable(scenario: string, target: ServerSummary, baselines: ReadonlyMap<string, ServerSummary>, itemsPerRequest = 1): string {
  const perItem = itemsPerRequest > 1;
  const products = (summary: ServerSummary, items: number): string[] => (perItem ? [String(summary.rps * items)] : []);
  const rows = [
    ['', 'rps', ...(perItem ? ['products/s'] : []), 'p50 ms', 'p99 ms', 'errors', perItem ? 'products/s ratio' : 'target/baseline'],
    [scenario, String(target.rps), ...products(target, itemsPerRequest), ...cells(target), ''],
    ...[...baselines].map(([name, b]) => [`  vs ${name}`, String(b.rps), ...products(b, 1), ...cells(b), ((target.rps * itemsPerRequest) / b.rps).toFixed(3)]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

/**
 * `paired_ratios` and `per_core_ratios` (see {@link ScenarioResult}) from the
 * rounds of the target and of each baseline, in the order of `names`.
 */
export function roundRatios(
  target: readonly LoadResult[],
  baselines: ReadonlyArray<readonly LoadResult[]>,
  names: readonly string[],
  itemsPerRequest = 1,
): Pick<ScenarioResult, 'paired_ratios' | 'per_core_ratios'> {
  const perCore = (r: LoadResult): number => (r.cpu.server ? r.rps / r.cpu.server : NaN);
  const paired: Record<string, number> = {};
  const cores: Record<string, number> = {};
  names.forEach((name, b) => {
    const rounds = target.map((t, i) => ({ t, b: baselines[b][i] })).filter((pair) => pair.b !== undefined);
    paired[name] = round(median(rounds.map((pair) => (pair.t.rps * itemsPerRequest) / pair.b.rps)), 3);
    cores[name] = round(median(rounds.map((pair) => (perCore(pair.t) * itemsPerRequest) / perCore(pair.b))), 3);
  });
  return { paired_ratios: paired, per_core_ratios: cores };
}

/** Writes `results` as pretty JSON to `file`, creating its directory when missing. */
export function writeResults(file: string, results: readonly object[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

function cells(summary: ServerSummary): string[] {
  return [summary.p50Ms, summary.p99Ms, summary.errors].map(String);
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/**
 * The runs of one scenario, each with its servers started afresh, as one result: the first run's
 * figures with `ratios`, `paired_ratios` and `per_core_ratios` replaced by their medians over the
 * runs, and each run's own in `starts`.
 */
export function mergeStarts(runs: readonly ScenarioResult[]): ScenarioResult {
  const medianOf = (pick: (run: ScenarioResult) => Record<string, number> | undefined): Record<string, number> | undefined => {
    const first = pick(runs[0]);
    if (!first) return undefined;
    return Object.fromEntries(
      Object.keys(first).map((key) => {
        const values = runs
          .map((run) => pick(run)?.[key])
          .filter((v): v is number => v !== undefined)
          .sort((a, b) => a - b);
        const mid = Math.floor(values.length / 2);
        const median = values.length % 2 === 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
        return [key, Math.round(median * 1000) / 1000];
      }),
    );
  };
  return {
    ...runs[0],
    ratios: medianOf((run) => run.ratios)!,
    paired_ratios: medianOf((run) => run.paired_ratios),
    per_core_ratios: medianOf((run) => run.per_core_ratios),
    starts: runs.map(({ rps, ratios, paired_ratios, per_core_ratios }) => ({ rps, ratios, paired_ratios, per_core_ratios })),
  };
}
