import { Worker } from 'node:worker_threads';

/** One stream of GETs: `total` requests, `concurrency` at a time, URL `i` built from `urlPrefix`, `ids` and `urlSuffix`. */
export interface LoadSpec {
  readonly total: number;
  readonly concurrency: number;
  /** Request `i` GETs `${urlPrefix}${ids[i % ids.length]}${urlSuffix}`. */
  readonly urlPrefix: string;
  readonly ids: readonly number[];
  readonly urlSuffix: string;
  /** Response header whose values are counted (`undefined` when absent). */
  readonly tallyHeader?: string;
}

/** What one stream saw. */
export interface LoadResult {
  readonly statuses: Record<number, number>;
  /** Per request, ms from sending to the end of the body. */
  readonly latencies: number[];
  /** Responses by value of `tallyHeader`. */
  readonly tally: Map<string, number>;
}

// Plain JS run in a worker thread: the client's work (HTTP, parsing, timing) does not share the
// event loop of the app under test, which runs in the test's own thread.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
async function run(spec) {
  const result = { statuses: {}, latencies: [], tally: {} };
  let next = 0;
  const worker = async () => {
    while (next < spec.total) {
      const i = next++;
      const url = spec.urlPrefix + spec.ids[i % spec.ids.length] + spec.urlSuffix;
      const started = performance.now();
      const res = await fetch(url);
      await res.arrayBuffer();
      result.latencies.push(performance.now() - started);
      result.statuses[res.status] = (result.statuses[res.status] || 0) + 1;
      if (spec.tallyHeader) {
        const value = String(res.headers.get(spec.tallyHeader) ?? undefined);
        result.tally[value] = (result.tally[value] || 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  return result;
}
// Timer lag of this thread while the streams run: how long the machine kept it from running.
const lags = [];
let last = performance.now();
const monitor = setInterval(() => {
  const now = performance.now();
  lags.push(Math.max(0, now - last - 5));
  last = now;
}, 5);
Promise.all(workerData.map(run)).then(
  (streams) => {
    clearInterval(monitor);
    lags.sort((a, b) => a - b);
    parentPort.postMessage({ streams, lagP99Ms: lags[Math.max(0, Math.ceil(0.99 * lags.length) - 1)] || 0 });
  },
  (error) => parentPort.postMessage({ error: String(error) }),
);
`;

/** The streams' results in order, and the p99 timer lag of the client thread (high: the machine was too busy to measure). */
export interface WorkerLoad {
  readonly streams: LoadResult[];
  readonly lagP99Ms: number;
}

/** Runs every stream of `specs` at the same time from one worker thread. */
export function loadFromWorker(specs: readonly LoadSpec[]): Promise<WorkerLoad> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: specs });
    worker.once('message', (message: unknown) => {
      void worker.terminate();
      const answer = message as {
        error?: string;
        lagP99Ms: number;
        streams: Array<{ statuses: Record<number, number>; latencies: number[]; tally: Record<string, number> }>;
      };
      if (answer.error !== undefined) return reject(new Error(answer.error));
      resolve({
        lagP99Ms: answer.lagP99Ms,
        streams: answer.streams.map((r) => ({ statuses: r.statuses, latencies: r.latencies, tally: new Map(Object.entries(r.tally)) })),
      });
    });
    worker.once('error', reject);
  });
}

/** Nearest-rank percentile `q` (0..1) of `values`. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}
