import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One family as parse-prometheus-text-format returns it (prom2json's shape). */
export interface PromFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  readonly metrics: ReadonlyArray<{
    readonly labels?: Record<string, string>;
    readonly value?: string;
    readonly buckets?: Record<string, string>;
    readonly count?: string;
    readonly sum?: string;
  }>;
}

/** Parses a Prometheus text exposition (throws on invalid input), families by name. */
export function parseExposition(text: string): Map<string, PromFamily> {
  const families = parsePrometheusTextFormat(text) as PromFamily[];
  return new Map(families.map((family) => [family.name, family]));
}

/** The value of the sample of `family` whose labels include `labels` (undefined when absent). */
export function sampleValue(family: PromFamily | undefined, labels: Record<string, string> = {}): number | undefined {
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (!sample) return undefined;
  return Number(sample.value ?? sample.count);
}

/** Every value the label `name` takes in `family`. */
export function labelValues(family: PromFamily | undefined, name: string): Set<string> {
  return new Set((family?.metrics ?? []).map((m) => m.labels?.[name]).filter((v): v is string => v !== undefined));
}

/**
 * The samples named exactly `name` in `text` (e.g. `x_count`, `x_bucket`),
 * with their labels. For labelled histograms: parse-prometheus-text-format
 * folds every series of a histogram into one and drops their labels.
 */
export function rawSamples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const samples: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ labels, value: Number(match[3]) });
  }
  return samples;
}
