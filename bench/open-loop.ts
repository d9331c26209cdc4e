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
export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const { hostname, port } = new URL(options.url);
  const latenciesMs: number[] = [];
  let failed = 0;
  let lastAnswerAt = performance.now();
  const before = cpuSnapshot(options.serverPid, options.helperPids);
  const t0 = performance.now();
  const { unanswered } = await paced(options.ratePerS, options.durationS, (dueAt, index, answered) => {
    const write = options.requests[index % options.requests.length];
    const req = httpRequest(
      {
        agent,
        hostname,
        port,
        method: write.method,
        path: write.path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(write.body) },
      },
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
  });
  const cpu = cpuUse(before, cpuSnapshot(options.serverPid, options.helperPids));
  agent.destroy();
  latenciesMs.sort((a, b) => a - b);
  const seconds = Math.max(options.durationS, (lastAnswerAt - t0) / 1000);
  return {
    ratePerS: options.ratePerS,
    rps: Math.round(latenciesMs.length / seconds),
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
    maxMs: percentile(latenciesMs, 1),
    errors: failed + unanswered,
    cpu,
  };
}

/**
 * The pacing of an open loop: calls `send` for request `index`, due at `dueAt` (a
 * `performance.now()` time), `ratePerS` times per second for `durationS` seconds, evenly spaced,
 * whatever the answers do (a 1 ms timer starts whatever has fallen due). `send` calls `answered`
 * once its request is over. Resolves once every request has been answered, or {@link DRAIN_MS}
 * after the last start, with how many were still unanswered then.
 */
export function paced(
  ratePerS: number,
  durationS: number,
  send: (dueAt: number, index: number, answered: () => void) => void,
): Promise<{ unanswered: number }> {
  const total = Math.round(ratePerS * durationS);
  const intervalMs = 1000 / ratePerS;
  let started = 0;
  let outstanding = 0;
  return new Promise((done) => {
    const t0 = performance.now();
    let finish: (() => void) | undefined;
    const answered = (): void => {
      outstanding--;
      if (outstanding === 0) finish?.();
    };
    const tick = (): void => {
      const due = Math.min(total, Math.floor((performance.now() - t0) / intervalMs) + 1);
      while (started < due) {
        outstanding++;
        send(t0 + started * intervalMs, started, answered);
        started++;
      }
      if (started < total) {
        setTimeout(tick, 1);
        return;
      }
      // Every request has started: wait for the answers, at most DRAIN_MS.
      const timer = setTimeout(() => finish?.(), DRAIN_MS);
      finish = () => {
        finish = undefined;
        clearTimeout(timer);
        done({ unanswered: outstanding });
      };
      if (outstanding === 0) finish();
    };
    tick();
  });
}
