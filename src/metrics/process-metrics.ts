import { Registry, type Metric } from 'prom-client';
import type { Sample } from './exposed.metric';

/**
 * Metrics of a machine that runs several app processes (`APP_PROCESSES`, see `src/cluster/`).
 *
 * Every process keeps its own registry. A scrape of `/metrics` reaches one of them (the kernel
 * picks); that one asks the primary, the primary asks every process for its families, and the
 * answer is all of them, each series labelled `process="<index>"` (0 … N-1, kept by a restarted
 * process). Series are not summed: a sum of counters falls when a process restarts (which breaks
 * `rate()`), and a sum of gauges such as a breaker state or a limit means nothing. Prometheus
 * sums or maxes them by itself (`sum without (process) (…)`).
 */

/** Environment variable the primary sets on each app process it forks (read as `appConfig.processIndex`). */
export const PROCESS_INDEX_ENV = 'APP_PROCESS_INDEX';

/** One metric family as prom-client's `getMetricsAsJSON()` gives it. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: readonly Sample[];
}

/** What the primary and the app processes say to each other about metrics. */
export type ProcessMetricsMessage =
  | { readonly bulwark: 'metrics-ready' }
  | { readonly bulwark: 'metrics-request'; readonly id: number }
  | { readonly bulwark: 'metrics-collect'; readonly id: number }
  | { readonly bulwark: 'metrics-families'; readonly id: number; readonly families: readonly MetricFamily[] }
  | { readonly bulwark: 'metrics-result'; readonly id: number; readonly text?: string; readonly error?: string };

export function isProcessMetricsMessage(message: unknown): message is ProcessMetricsMessage {
  return typeof message === 'object' && message !== null && typeof (message as { bulwark?: unknown }).bulwark === 'string';
}

/** Merges the families of every process into one list, each series labelled with its process. */
export function mergeProcessFamilies(perProcess: ReadonlyArray<{ readonly index: number; readonly families: readonly MetricFamily[] }>): MetricFamily[] {
  const merged = new Map<string, { name: string; help: string; type: string; values: Sample[] }>();
  for (const { index, families } of [...perProcess].sort((a, b) => a.index - b.index)) {
    for (const family of families) {
      let into = merged.get(family.name);
      if (!into) {
        into = { name: family.name, help: family.help, type: family.type, values: [] };
        merged.set(family.name, into);
      }
      for (const value of family.values) into.values.push({ ...value, labels: { ...value.labels, process: String(index) } });
    }
  }
  return [...merged.values()];
}

/** The Prometheus text exposition of `families` (rendered by prom-client, so names, labels and escaping are its own). */
export function renderFamilies(families: readonly MetricFamily[]): Promise<string> {
  const registry = new Registry();
  for (const family of families) {
    const adapter = { name: family.name, help: family.help, type: family.type, collect: () => undefined, reset: () => undefined, get: () => family };
    registry.registerMetric(adapter as unknown as Metric);
  }
  return registry.metrics();
}

/**
 * The app process's side: answers the primary's collection requests with its registry's families,
 * and renders `/metrics` by asking the primary for every process's.
 */
export class ProcessMetricsLink {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private readonly onMessage = (message: unknown): void => void this.receive(message);

  constructor(
    private readonly registry: Registry,
    private readonly timeoutMs: number,
    private readonly send: (message: ProcessMetricsMessage) => void = (message) => process.send?.(message),
  ) {}

  install(): void {
    process.on('message', this.onMessage);
    this.send({ bulwark: 'metrics-ready' });
  }

  uninstall(): void {
    process.off('message', this.onMessage);
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new Error('shutting down'));
    }
    this.pending.clear();
  }

  /** The whole machine's exposition, from the primary. Fails (the scrape answers 500) when the primary does not answer in time. */
  render(): Promise<string> {
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the primary did not answer the metrics request within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send({ bulwark: 'metrics-request', id });
    });
  }

  private async receive(message: unknown): Promise<void> {
    if (!isProcessMetricsMessage(message)) return;
    if (message.bulwark === 'metrics-collect') {
      const families = (await this.registry.getMetricsAsJSON()) as unknown as MetricFamily[];
      this.send({ bulwark: 'metrics-families', id: message.id, families });
    } else if (message.bulwark === 'metrics-result') {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      clearTimeout(waiting.timer);
      if (message.text !== undefined) waiting.resolve(message.text);
      else waiting.reject(new Error(message.error ?? 'metrics collection failed in the primary'));
    }
  }
}
