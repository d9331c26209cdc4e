/** How the limit learns; every field has a default in {@link DEFAULT_LIMIT_OPTIONS}. */
export interface GradientLimitOptions {
  /** The limit once the first no-load latency is measured, before it has learnt anything else. */
  readonly initial: number;
  /** The limit never goes below this (so that a pod always serves something), and probes run at it … */
  readonly min: number;
  /** … and never above this. */
  readonly max: number;
  /** Latency is averaged over windows this long, and the limit moves once per window … */
  readonly windowMs: number;
  /** … that holds at least this many completed requests (a quiet window is extended). */
  readonly minSamples: number;
  /** Latency up to `tolerance` × the no-load latency is not queueing: the limit does not fall for it. */
  readonly tolerance: number;
  /** The share of each higher estimate taken into the limit (0..1): 1 follows it at once. A lower one is followed at once. */
  readonly smoothing: number;
  /** The no-load latency is measured again this often (ms) … */
  readonly probeIntervalMs: number;
  /** … from this many requests that started with at most `min` in flight. */
  readonly probeSamples: number;
}

export const DEFAULT_LIMIT_OPTIONS: GradientLimitOptions = {
  initial: 20,
  min: 4,
  max: 1000,
  windowMs: 100,
  minSamples: 10,
  tolerance: 2,
  smoothing: 0.2,
  probeIntervalMs: 30_000,
  probeSamples: 20,
};

/**
 * An adaptive concurrency limit: how many requests this process should have in flight to serve
 * at low latency, learnt from the latency of the requests it completes, with no per-deployment
 * tuning.
 *
 * The update is Netflix concurrency-limits' Gradient2: once per window, the limit moves by the
 * gradient between a baseline latency and the window's (between 0.5 and 1: a falling limit at
 * most halves per window, so one slow window cannot empty the pod), plus √limit of headroom to
 * keep probing upwards; rises are smoothed, falls are not (unlike Gradient2, which smooths both:
 * at its 0.2 a limit twice too high takes a dozen windows to halve, and every request queues
 * meanwhile), and it does not grow while the process uses less than half of it. The baseline is not Gradient2's long average: that average follows a sustained overload
 * upwards, and the limit creeps back up while latency stays high, which is the common case of a
 * Node process (every request in flight shares the one event loop, so latency grows with the
 * queue). It is the no-load latency, measured the way Envoy's adaptive concurrency filter
 * measures its minRTT: now and then the limit is held at `min` until `probeSamples` requests
 * that started with at most `min` in flight have completed, and their mean is the baseline
 * (between probes it can only fall). Latency within `tolerance` × that baseline is taken as no
 * queue. Re-measuring, rather than drifting, is what lets the baseline follow a lasting change of
 * the work (a slower database) without following an overload; a probe costs a short dip to `min`
 * in flight every `probeIntervalMs`.
 */
export class GradientLimit {
  private estimate: number;
  private baselineMs: number | undefined;
  /** While set, the limit is held at `min` and these are the probe's samples so far. */
  private probe: { count: number; sumMs: number } | undefined = { count: 0, sumMs: 0 };
  private nextProbeAt = Number.POSITIVE_INFINITY;
  private windowStart: number | undefined;
  private count = 0;
  private sumMs = 0;
  private peakInFlight = 0;

  constructor(
    private readonly options: GradientLimitOptions = DEFAULT_LIMIT_OPTIONS,
    private readonly now: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
  ) {
    this.estimate = clamp(options.initial, options.min, options.max);
  }

  /** The current limit (a whole number of requests). */
  get limit(): number {
    return this.probe ? this.options.min : Math.floor(this.estimate);
  }

  /** The estimated no-load latency (ms), once measured. */
  get noLoadLatencyMs(): number | undefined {
    return this.baselineMs;
  }

  /** True while the no-load latency is being measured (the limit is held at `min`). */
  get probing(): boolean {
    return this.probe !== undefined;
  }

  /** A request completed after `latencyMs`, with `inFlight` requests in flight when it started (itself included). */
  record(latencyMs: number, inFlight: number): void {
    const now = this.now();
    if (this.probe) {
      if (inFlight > this.options.min) return; // started before the probe: it measured a queue
      this.probe.count += 1;
      this.probe.sumMs += latencyMs;
      if (this.probe.count < this.options.probeSamples) return;
      this.baselineMs = this.probe.sumMs / this.probe.count;
      this.probe = undefined;
      this.nextProbeAt = now + this.options.probeIntervalMs * (0.9 + 0.2 * this.random()); // jittered: pods do not probe together
      this.windowStart = undefined;
      return;
    }
    if (now >= this.nextProbeAt) {
      this.probe = { count: 0, sumMs: 0 };
      return;
    }
    this.windowStart ??= now;
    this.count += 1;
    this.sumMs += latencyMs;
    this.peakInFlight = Math.max(this.peakInFlight, inFlight);
    if (now - this.windowStart < this.options.windowMs || this.count < this.options.minSamples) return;
    this.update(this.sumMs / this.count, this.peakInFlight);
    this.windowStart = now;
    this.count = 0;
    this.sumMs = 0;
    this.peakInFlight = 0;
  }

  private update(latencyMs: number, peakInFlight: number): void {
    const { min, max, tolerance, smoothing } = this.options;
    const baseline = Math.min(this.baselineMs ?? latencyMs, latencyMs);
    this.baselineMs = baseline;
    // The process uses less than half of the limit: latency says nothing about a higher one.
    if (peakInFlight < this.estimate / 2) return;
    const gradient = Math.max(0.5, Math.min(1, (tolerance * baseline) / Math.max(latencyMs, Number.EPSILON)));
    const target = this.estimate * gradient + Math.sqrt(this.estimate);
    // Down at once (a queue costs every request in it), up smoothly (a probe that overshoots costs a queue).
    const next = target < this.estimate ? target : this.estimate * (1 - smoothing) + target * smoothing;
    this.estimate = clamp(next, min, max);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
