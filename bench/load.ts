import autocannon from 'autocannon';

/** One load run against one server. */
export interface LoadOptions {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Request paths; each connection cycles through them in order. */
  readonly paths: readonly string[];
  readonly durationS: number;
  readonly connections: number;
}

/** The figures of one load run. */
export interface LoadResult {
  /** Mean requests per second over the run. */
  readonly rps: number;
  /** Latency percentiles of the 2xx responses, to 0.01 ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Non-2xx responses plus connection errors (autocannon's `errors` already includes timeouts). */
  readonly errors: number;
}

/**
 * Loads `url` with autocannon for `durationS` seconds: GETs of `paths`, no
 * pipelining. The requests are pre-built once: a `setupRequest` per request
 * cost autocannon about 40 % of its throughput on a 2-core machine.
 */
export function load(options: LoadOptions): Promise<LoadResult> {
  // autocannon's own histogram keeps whole milliseconds, too coarse for a bare route: keep each 2xx time.
  const latenciesMs: number[] = [];
  return new Promise((done, fail) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationS,
        requests: options.paths.map((path) => ({ method: 'GET', path })),
      },
      (error: unknown, result) => {
        if (error) return fail(error instanceof Error ? error : new Error(String(error)));
        latenciesMs.sort((a, b) => a - b);
        done({
          rps: result.requests.average,
          p50Ms: percentile(latenciesMs, 0.5),
          p99Ms: percentile(latenciesMs, 0.99),
          errors: result.non2xx + result.errors,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTimeMs);
    });
  });
}

/** The nearest-rank percentile `q` (0..1) of ascending `sorted`, rounded to 0.01; NaN when empty. */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return Math.round(value * 100) / 100;
}
