import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { cpuSnapshot, cpuUse, type CpuUse } from './cpu';
import { percentile, type BenchRequest } from './load';

/** One fixed-rate run against one server. */
export interface OpenLoopOptions {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The writes to send, handed out in turn (a shared counter). */
  readonly requests: readonly BenchRequest[];
  /** Requests started per second, evenly spaced, whatever the server's answers do. */
  readonly ratePerS: number;
  readonly durationS: number;
  /** Keep-alive connections at most; a request that finds them all busy waits for one (and that wait counts). */
  readonly connections: number;
  /** The server's process id, for its CPU share; none by default. */
  readonly serverPid?: number;
  /** Process ids of the scenario's helpers, for their CPU share; none by default. */
  readonly helperPids?: readonly number[];
}

/** The figures of one fixed-rate run. */
export interface OpenLoopResult {
  /** The rate asked for. */
  readonly ratePerS: number;
  /** 2xx answers per second of the run: below `ratePerS` when the server could not keep up. */
  readonly rps: number;
  /** Latency of the 2xx answers, from each request's scheduled start (not its send) to its last byte, to 0.01 ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Non-2xx answers, connection errors, and requests still unanswered 2 s after the run's last start. */
  readonly errors: number;
  readonly cpu: CpuUse;
}

/** How long the run waits after its last scheduled start for answers still outstanding. */
const DRAIN_MS = 2_000;

/**
 * Sends `ratePerS` requests per second for `durationS` seconds on at most
 * `connections` keep-alive connections: an open loop. Autocannon's rate limit
 * (`overallRate`) cannot do this: each connection sends its quota as fast as
 * the server answers at the start of every second, then pauses, so its
 * latencies are those of a saturating burst. Here a request is due every
 * `1 / ratePerS` seconds; a 1 ms timer starts whatever has fallen due.
 *
 * Latency runs from the moment a request was due, so time spent waiting for a
 * free connection because the server fell behind counts too (no coordinated
 * omission): at a rate the server cannot sustain, latencies grow through the run.
 */
export function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const { hostname, port } = new URL(options.url);
  const latenciesMs: number[] = [];
  const total = Math.round(options.ratePerS * options.durationS);
  const intervalMs = 1000 / options.ratePerS;
  let started = 0;
  let outstanding = 0;
  let failed = 0;
  let next = 0;

  return new Promise((done) => {
    const before = cpuSnapshot(options.serverPid, options.helperPids);
    const t0 = performance.now();
    let lastAnswerAt = t0;
    let finish: (() => void) | undefined;

    const send = (dueAt: number): void => {
      const write = options.requests[next++ % options.requests.length];
      outstanding++;
      const req = httpRequest(
        { agent, hostname, port, method: write.method, path: write.path, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(write.body) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            const now = performance.now();
            if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) latenciesMs.push(now - dueAt);
            else failed++;
            lastAnswerAt = now;
            answered();
          });
        },
      );
      req.on('error', () => {
        failed++;
        answered();
      });
      req.end(write.body);
    };
    const answered = (): void => {
      outstanding--;
      if (outstanding === 0) finish?.();
    };

    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - t0) / intervalMs) + 1);
      while (started < due) send(t0 + started++ * intervalMs);
      if (started < total) {
        setTimeout(tick, 1);
        return;
      }
      // Every request has started: wait for the answers, at most DRAIN_MS.
      const timer = setTimeout(() => finish?.(), DRAIN_MS);
      finish = () => {
        finish = undefined;
        clearTimeout(timer);
        const cpu = cpuUse(before, cpuSnapshot(options.serverPid, options.helperPids));
        agent.destroy();
        latenciesMs.sort((a, b) => a - b);
        const seconds = Math.max(options.durationS, (lastAnswerAt - t0) / 1000);
        done({
          ratePerS: options.ratePerS,
          rps: Math.round(latenciesMs.length / seconds),
          p50Ms: percentile(latenciesMs, 0.5),
          p99Ms: percentile(latenciesMs, 0.99),
          maxMs: percentile(latenciesMs, 1),
          errors: failed + outstanding,
          cpu,
        });
      };
      if (outstanding === 0) finish();
    };
    tick();
  });
}
