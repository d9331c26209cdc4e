import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { load, percentile } from './load';
import { paced } from './open-loop';
import { OverloadTimeline, worstBuckets, type TimelineBucket } from './overload-timeline';
import { startServer, type RunningServer, type ServerName } from './servers';
import { PIN, type BenchSettings } from './settings';

/** One kind of request of the mix, and how often it comes. */
export interface MixEntry {
  readonly criticality: 'essential' | 'sheddable';
  readonly paths: readonly string[];
  /** Relative share of the mix. */
  readonly weight: number;
}

/** The `overload` scenario: the mix, the servers, and the multiples of the capacity offered. */
export interface OverloadScenario {
  readonly description: string;
  readonly mix: readonly MixEntry[];
  /** The servers, loaded in turn at each multiple; `capacityOf` is measured first, closed loop. */
  readonly servers: readonly ServerName[];
  readonly capacityOf: ServerName;
  readonly serverEnv?: Readonly<Record<string, string>>;
  readonly multiples: readonly number[];
  readonly dependencies?: ReadonlyArray<{ readonly server: ServerName; readonly urlEnv: string }>;
}

/** The figures of one server at one multiple of the capacity. */
export interface OverloadFigures {
  readonly offered_rps: number;
  /** 2xx per second ÷ capacity. */
  readonly goodput_ratio: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  /** p99 of the 2xx answers of essential requests. */
  readonly essential_p99_ms: number;
  /** p99 of the time to a 503 (from when the request fell due); null when nothing was refused. */
  readonly reject_p99_ms: number | null;
  /** p99 of the server's own time to a 503 (its `Server-Timing: overload;dur=`); null without such answers. */
  readonly reject_server_p99_ms: number | null;
  readonly rejected: Record<'essential' | 'sheddable', number>;
  /** Other non-2xx answers, connection errors and requests unanswered 2 s after the last start. */
  readonly errors: number;
  /** `/health/ready` probes (every 100 ms, 1 s timeout, as a kubelet would) that failed. */
  readonly probe_failures: number;
  /** Per 100 ms of the phase: offered, 2xx and their p99, refused, the generator's lag, the limiter's state. */
  readonly timeline: readonly TimelineBucket[];
}

export interface OverloadResult {
  readonly scenario: string;
  readonly capacity_rps: number;
  readonly servers: Record<string, { at: Record<string, OverloadFigures> }>;
}

const CONNECTIONS = 512;
/** The servers' admin token (`scenario.serverEnv`): the timeline samples `GET /admin/overload` with it. */
export const OVERLOAD_ADMIN_TOKEN = 'bench-overload-admin-token-0123456789';

/**
 * Offered more than a pod can serve, what does each server deliver? The capacity is measured in
 * the same run (closed loop, the mix, on `capacityOf`); then every server gets the mix open loop
 * at each multiple of it (latency from the moment a request fell due: no coordinated omission),
 * with a readiness probe beside it.
 */
export async function runOverload(name: string, scenario: OverloadScenario, settings: BenchSettings, pinned: boolean): Promise<OverloadResult> {
  console.log(`\n${name}: ${scenario.description}`);
  const helpers: RunningServer[] = [];
  const env: Record<string, string> = { ...scenario.serverEnv };
  for (const dependency of scenario.dependencies ?? []) {
    const helper = await startServer(dependency.server, pinned ? { pinCore: PIN.loadCore } : {});
    helpers.push(helper);
    env[dependency.urlEnv] = helper.url;
  }
  const result: OverloadResult = { scenario: name, capacity_rps: 0, servers: {} };
  try {
    const paths = interleave(scenario.mix);
    const capacityServer = await startServer(scenario.capacityOf, { env, ...(pinned ? { pinCore: PIN.serverCore } : {}) });
    let capacity: number;
    try {
      await load({
        url: capacityServer.url,
        paths: paths.map((p) => p.path),
        durationS: settings.firstWarmupS,
        connections: settings.connections,
        generator: settings.loadGenerator,
      });
      const measured = await load({
        url: capacityServer.url,
        paths: paths.map((p) => p.path),
        durationS: settings.durationS,
        connections: settings.connections,
        generator: settings.loadGenerator,
      });
      console.log(`  closed loop (${scenario.capacityOf}, ${settings.connections} connections): ${Math.round(measured.rps)} rps, p99 ${measured.p99Ms} ms`);
      capacity = await openLoopCapacity(capacityServer.url, paths, measured.rps, settings.durationS);
    } finally {
      await capacityServer.stop();
    }
    (result as { capacity_rps: number }).capacity_rps = capacity;
    for (const serverName of scenario.servers) {
      const server = await startServer(serverName, { env, ...(pinned ? { pinCore: PIN.serverCore } : {}) });
      const at: Record<string, OverloadFigures> = {};
      try {
        // Warm-up at the capacity (connections, JIT, the limiter's first no-load measurement).
        await openLoopMix(server.url, paths, capacity, settings.firstWarmupS);
        for (const multiple of scenario.multiples) {
          const figures = await openLoopMix(server.url, paths, capacity * multiple, settings.durationS, capacity);
          at[`${multiple}x`] = figures;
          console.log(
            `  ${serverName.padEnd(16)} ${`${multiple}x`.padStart(3)} offered ${figures.offered_rps} rps  goodput ${figures.goodput_ratio}  p50 ${figures.p50_ms} ms  p99 ${figures.p99_ms} ms  ` +
              `essential p99 ${figures.essential_p99_ms} ms  reject p99 ${figures.reject_p99_ms ?? '-'} ms (server ${figures.reject_server_p99_ms ?? '-'} ms)  rejected ${figures.rejected.essential}/${figures.rejected.sheddable}  ` +
              `errors ${figures.errors}  probe failures ${figures.probe_failures}`,
          );
          for (const b of worstBuckets(figures.timeline)) {
            const limiter = b.limit === undefined ? '' : `  limit ${b.limit} in flight ${b.in_flight} queued ${b.queued}`;
            console.log(
              `      at ${b.t_ms} ms: due ${b.offered}, 2xx ${b.ok} (p99 ${b.ok_p99_ms} ms), refused ${b.rejected}, generator lag ${b.generator_lag_ms} ms${limiter}`,
            );
          }
          await sleep(1_000); // let queues drain between multiples
        }
      } finally {
        await server.stop();
      }
      result.servers[serverName] = { at };
    }
  } finally {
    await Promise.all(helpers.map((helper) => helper.stop()));
  }
  return result;
}

/**
 * The capacity as an open loop sees it: the mix offered at steps of the closed-loop figure
 * (0.5× to 1.5×), each for `durationS`; the capacity is the most 2xx per second of a step that
 * left nothing unanswered and kept its p99 under {@link CAPACITY_P99_MS}. A closed loop caps the
 * work in flight at its connections, so its rate can be one the app does not sustain when
 * requests keep coming (the first run of this scenario showed it: no-limit overloaded at "1×").
 */
async function openLoopCapacity(url: string, paths: readonly MixedPath[], closedLoopRps: number, durationS: number): Promise<number> {
  let capacity = 0;
  for (const step of [0.5, 0.75, 1, 1.25, 1.5]) {
    const figures = await openLoopMix(url, paths, closedLoopRps * step, durationS);
    const served = Math.round(figures.goodput_ratio * closedLoopRps * step);
    const sustained = figures.errors === 0 && figures.p99_ms < CAPACITY_P99_MS;
    console.log(
      `  capacity step ${step}x of closed loop: offered ${figures.offered_rps}, served ${served} rps, p99 ${figures.p99_ms} ms${sustained ? '' : ' (not sustained)'}`,
    );
    if (!sustained) break;
    capacity = Math.max(capacity, served);
    await sleep(1_000);
  }
  console.log(`  capacity: ${capacity} rps`);
  return capacity || closedLoopRps;
}

/** A step of the capacity search counts only if its p99 stayed under this. */
const CAPACITY_P99_MS = 500;

interface MixedPath {
  readonly path: string;
  readonly criticality: 'essential' | 'sheddable';
}

/** The mix as one list whose order spreads each entry by its weight (e.g. 4 essential, 1 sheddable, …). */
function interleave(mix: readonly MixEntry[]): MixedPath[] {
  const out: MixedPath[] = [];
  const cursors = mix.map(() => 0);
  const longest = Math.max(...mix.map((entry) => Math.ceil(entry.paths.length / entry.weight)));
  for (let round = 0; round < longest; round++) {
    mix.forEach((entry, i) => {
      for (let w = 0; w < entry.weight; w++) out.push({ path: entry.paths[cursors[i]++ % entry.paths.length], criticality: entry.criticality });
    });
  }
  return out;
}

/** `ratePerS` GETs per second of `paths` in turn for `durationS`, open loop, with a readiness probe every 100 ms. */
async function openLoopMix(url: string, paths: readonly MixedPath[], ratePerS: number, durationS: number, capacity = ratePerS): Promise<OverloadFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(url);
  const okMs: number[] = [];
  const essentialOkMs: number[] = [];
  const rejectMs: number[] = [];
  const rejectServerMs: number[] = [];
  const rejected = { essential: 0, sheddable: 0 };
  let errors = 0;
  let probeFailures = 0;
  let probing = true;
  const probe = (): void => {
    if (!probing) return;
    const req = httpRequest({ agent: probeAgent, hostname, port, path: '/health/ready', timeout: 1_000 }, (res) => {
      res.resume();
      if (res.statusCode !== 200) probeFailures++;
    });
    req.on('timeout', () => req.destroy(new Error('probe timeout')));
    req.on('error', () => probeFailures++);
    req.end();
    setTimeout(probe, 100);
  };
  probe();
  const t0 = performance.now();
  const timeline = new OverloadTimeline(url, OVERLOAD_ADMIN_TOKEN, t0);
  timeline.start();
  let lastAnswerAt = t0;
  const { unanswered } = await paced(ratePerS, durationS, (dueAt, index, answered) => {
    const target = paths[index % paths.length];
    timeline.due(dueAt);
    const req = httpRequest({ agent, hostname, port, path: target.path }, (res) => {
      res.resume();
      res.on('end', () => {
        const now = performance.now();
        const status = res.statusCode ?? 0;
        timeline.answered(dueAt, now - dueAt, status >= 200 && status < 300);
        if (status >= 200 && status < 300) {
          okMs.push(now - dueAt);
          if (target.criticality === 'essential') essentialOkMs.push(now - dueAt);
        } else if (status === 503) {
          rejectMs.push(now - dueAt);
          rejected[target.criticality]++;
          const timing = /overload;dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''));
          if (timing) rejectServerMs.push(Number(timing[1]));
        } else errors++;
        lastAnswerAt = now;
        answered();
      });
    });
    req.on('error', () => {
      errors++;
      answered();
    });
    req.end();
  });
  probing = false;
  timeline.stop();
  agent.destroy();
  probeAgent.destroy();
  const seconds = Math.max(durationS, (lastAnswerAt - t0) / 1000);
  for (const list of [okMs, essentialOkMs, rejectMs, rejectServerMs]) list.sort((a, b) => a - b);
  return {
    offered_rps: Math.round(ratePerS),
    goodput_ratio: Math.round((okMs.length / seconds / capacity) * 1000) / 1000,
    p50_ms: percentile(okMs, 0.5),
    p99_ms: percentile(okMs, 0.99),
    essential_p99_ms: percentile(essentialOkMs, 0.99),
    reject_p99_ms: rejectMs.length > 0 ? percentile(rejectMs, 0.99) : null,
    reject_server_p99_ms: rejectServerMs.length > 0 ? percentile(rejectServerMs, 0.99) : null,
    rejected,
    errors: errors + unanswered,
    probe_failures: probeFailures,
    timeline: timeline.buckets(),
  };
}
