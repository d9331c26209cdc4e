import { Agent, request as httpRequest } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { percentile } from './load';

/** What the server's limiter said at one sample (`GET /admin/overload`). */
interface LimiterSample {
  readonly limit: number;
  readonly inFlight: number;
  readonly queued: number;
}

/** One {@link BUCKET_MS} slice of an open-loop phase, by the time requests fell due. */
export interface TimelineBucket {
  /** Start of the slice, ms after the phase began. */
  readonly t_ms: number;
  readonly offered: number;
  readonly ok: number;
  readonly rejected: number;
  /** p99 of the 2xx of the requests that fell due in this slice. */
  readonly ok_p99_ms: number;
  /** The load generator's own event-loop delay (max in the slice): time it was late, not the server. */
  readonly generator_lag_ms: number;
  /** The limiter's state sampled in the slice (absent when the server has no limiter on or did not answer). */
  readonly limit?: number;
  readonly in_flight?: number;
  readonly queued?: number;
}

const BUCKET_MS = 100;

/**
 * A per-100 ms account of an open-loop phase, to tell where latency came from: the requests due
 * in each slice (offered, answered 2xx and their p99, refused), the generator's event-loop delay,
 * and the server's limiter state sampled every slice on a connection of its own (a critical route:
 * never refused). Read beside the phase's totals in `latest.json`.
 */
export class OverloadTimeline {
  private readonly offered: number[] = [];
  private readonly okMs: number[][] = [];
  private readonly rejected: number[] = [];
  private readonly lagMs: number[] = [];
  private readonly limiter: Array<LimiterSample | undefined> = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly delay = monitorEventLoopDelay({ resolution: 5 });
  private sampler?: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly adminToken: string | undefined,
    private readonly t0: number,
  ) {}

  start(): void {
    this.delay.enable();
    this.sampler = setInterval(() => this.sample(), BUCKET_MS);
  }

  stop(): void {
    clearInterval(this.sampler);
    this.delay.disable();
    this.agent.destroy();
  }

  due(dueAt: number): void {
    this.offered[this.slot(dueAt)] = (this.offered[this.slot(dueAt)] ?? 0) + 1;
  }

  answered(dueAt: number, latencyMs: number, ok: boolean): void {
    const slot = this.slot(dueAt);
    if (ok) (this.okMs[slot] ??= []).push(latencyMs);
    else this.rejected[slot] = (this.rejected[slot] ?? 0) + 1;
  }

  buckets(): TimelineBucket[] {
    return Array.from({ length: this.offered.length }, (_, i) => {
      const ok = (this.okMs[i] ?? []).sort((a, b) => a - b);
      const limiter = this.limiter[i];
      return {
        t_ms: i * BUCKET_MS,
        offered: this.offered[i] ?? 0,
        ok: ok.length,
        rejected: this.rejected[i] ?? 0,
        ok_p99_ms: ok.length > 0 ? percentile(ok, 0.99) : 0,
        generator_lag_ms: Math.round((this.lagMs[i] ?? 0) * 100) / 100,
        ...(limiter ? { limit: limiter.limit, in_flight: limiter.inFlight, queued: limiter.queued } : {}),
      };
    });
  }

  private slot(at: number): number {
    return Math.max(0, Math.floor((at - this.t0) / BUCKET_MS));
  }

  private sample(): void {
    const slot = this.slot(performance.now());
    this.lagMs[slot] = this.delay.max / 1e6;
    this.delay.reset();
    if (this.adminToken === undefined) return;
    const { hostname, port } = new URL(this.url);
    const req = httpRequest(
      { agent: this.agent, hostname, port, path: '/admin/overload', headers: { authorization: `Bearer ${this.adminToken}` }, timeout: 1_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) return;
          const state = JSON.parse(body) as LimiterSample & { enabled: boolean };
          if (state.enabled) this.limiter[slot] = { limit: state.limit, inFlight: state.inFlight, queued: state.queued };
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('sample timeout')));
    req.on('error', () => undefined);
    req.end();
  }
}

/** The `count` slices of `buckets` with the highest 2xx p99, in time order: where a phase's tail came from. */
export function worstBuckets(buckets: readonly TimelineBucket[], count = 3): TimelineBucket[] {
  return [...buckets]
    .sort((a, b) => b.ok_p99_ms - a.ok_p99_ms)
    .slice(0, count)
    .sort((a, b) => a.t_ms - b.t_ms);
}
