import autocannon from 'autocannon';
import { inspect } from 'node:util';
import { cpuSnapshot, cpuUse, type CpuUse } from './cpu';
import type { LoadGenerator } from './settings';
import { wrkLoad } from './wrk';

/** A request other than a GET of a path: a write with a JSON body. */
export interface BenchRequest {
  readonly method: 'POST' | 'PUT';
  readonly path: string;
  /** JSON text of the body. */
  readonly body: string;
}

/** One load run against one server. */
export interface LoadOptions {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Request paths; each connection cycles through them in order. */
  readonly paths: readonly string[];
  /** Writes to send instead of GETs of `paths` (each connection cycles through them in order). */
  readonly requests?: readonly BenchRequest[];
  readonly durationS: number;
  readonly connections: number;
  /** Count the values of this response header (lower case) over every response; none by default. */
  readonly tallyHeader?: string;
  /** The server's process id, for its CPU share; none by default. */
  readonly serverPid?: number;
  /** Process ids of the scenario's helpers (a separate worker), for their CPU share; none by default. */
  readonly helperPids?: readonly number[];
  /** `wrk` loads GETs with wrk (`bench/wrk.ts`); writes, and `autocannon` (the default), with autocannon. */
  readonly generator?: LoadGenerator;
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
  /** Responses by value of `tallyHeader` (`(none)` when absent); only when it was asked for. */
  readonly headerValues?: Readonly<Record<string, number>>;
  /** CPU shares over the run: the server, autocannon (this process), each core. */
  readonly cpu: CpuUse;
}

/** The key of {@link LoadResult.headerValues} of responses without the header. */
export const NO_HEADER = '(none)';

/**
 * Loads `url` with autocannon for `durationS` seconds: GETs of `paths`, no
 * pipelining. The requests are pre-built once: a `setupRequest` per request
 * cost autocannon about 40 % of its throughput on a 2-core machine.
 */
export function load(options: LoadOptions): Promise<LoadResult> {
  if (options.generator === 'wrk' && !options.requests) return wrkLoad(options);
  // autocannon's own histogram keeps whole milliseconds, too coarse for a bare route: keep each 2xx time.
  const latenciesMs: number[] = [];
  const headerValues = new Map<string, number>();
  const header = options.tallyHeader?.toLowerCase();
  // autocannon's parser (http-parser-js) hands over the raw headers as [name, value, name, value, …].
  // A scan of ~10 short strings per response: well under 1 % of autocannon's ~20 µs per request.
  const onHeaders = (info: { headers: readonly string[] }): void => {
    const raw = info.headers;
    let value = NO_HEADER;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i].length === header!.length && raw[i].toLowerCase() === header) {
        value = raw[i + 1];
        break;
      }
    }
    headerValues.set(value, (headerValues.get(value) ?? 0) + 1);
  };
  return new Promise((done, fail) => {
    const before = cpuSnapshot(options.serverPid, options.helperPids);
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationS,
        requests: options.requests ? [writeRequest(options.requests)] : options.paths.map((path) => ({ method: 'GET', path })),
        // @types/autocannon says 'headers' passes IncomingHttpHeaders; the client passes the parser's info object.
        ...(header === undefined ? {} : { setupClient: (client) => void client.on('headers', onHeaders as never) }),
      },
      (error: unknown, result) => {
        const cpu = cpuUse(before, cpuSnapshot(options.serverPid, options.helperPids));
        if (error) return fail(error instanceof Error ? error : new Error(inspect(error)));
        latenciesMs.sort((a, b) => a - b);
        done({
          rps: result.requests.average,
          p50Ms: percentile(latenciesMs, 0.5),
          p99Ms: percentile(latenciesMs, 0.99),
          errors: result.non2xx + result.errors,
          ...(header === undefined ? {} : { headerValues: Object.fromEntries(headerValues) }),
          cpu,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTimeMs);
    });
  });
}

/**
 * One request template whose `setupRequest` hands out `writes` in turn across
 * every connection (a shared counter): connections do not all send the same
 * write of one row at the same moment, and no write repeats until the list
 * comes round. A `setupRequest` costs autocannon throughput (see above), which
 * matters at GET rates, not at write rates.
 */
function writeRequest(writes: readonly BenchRequest[]): autocannon.Request {
  let next = 0;
  return {
    method: 'PUT',
    path: '/',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => {
      const write = writes[next++ % writes.length];
      return { ...request, method: write.method, path: write.path, body: write.body };
    },
  };
}

/** The nearest-rank percentile `q` (0..1) of ascending `sorted`, rounded to 0.01; NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const value = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return Math.round(value * 100) / 100;
}
