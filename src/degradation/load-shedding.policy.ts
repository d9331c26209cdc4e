/** One window's load measurements. */
export interface LoadSample {
  /** Event-loop delay p99 over the window, in ms. */
  readonly eventLoopP99Ms: number;
  /** Highest number of HTTP requests in flight at once during the window. */
  readonly inFlightPeak: number;
}

/** When shedding starts and stops. Enter values must be ≥ exit values (the gap is the hysteresis). */
export interface SheddingThresholds {
  /** Start when a window's p99 is above this. */
  readonly enterEventLoopP99Ms: number;
  /** May stop once the p99 is at or under this… */
  readonly exitEventLoopP99Ms: number;
  /** Start when more than this many requests were in flight at once (Infinity: never). */
  readonly enterInFlight: number;
  /** …and the in-flight peak is at or under this… */
  readonly exitInFlight: number;
  /** …for this long without a break. */
  readonly holdMs: number;
}

/** What a sample changed: shedding started, stopped, or nothing. */
export type SheddingTransition = 'start' | 'stop' | undefined;

/**
 * The shedding decision with hysteresis, as pure logic (the load shedder feeds it samples and a
 * clock): it starts when either measurement passes its enter threshold, and stops only after
 * both have stayed at or under their lower exit thresholds for `holdMs` in a row. A burst in
 * the middle of the calm restarts the hold, so bursty overload does not make switches flap.
 */
export class LoadSheddingPolicy {
  private activeSince?: number;
  private calmSince?: number;
  private lastReason?: string;

  constructor(private readonly thresholds: SheddingThresholds) {}

  /** True while shedding. */
  get active(): boolean {
    return this.activeSince !== undefined;
  }

  /** Why shedding started or was last kept up (`eventLoopP99Ms 312 > 200`); undefined when inactive. */
  get reason(): string | undefined {
    return this.active ? this.lastReason : undefined;
  }

  /** Takes one window's sample at `nowMs`; returns the transition it caused, if any. */
  observe(sample: LoadSample, nowMs: number): SheddingTransition {
    const overload = this.overload(sample);
    if (!this.active) {
      if (overload === undefined) return undefined;
      this.activeSince = nowMs;
      this.calmSince = undefined;
      this.lastReason = overload;
      return 'start';
    }
    if (overload !== undefined) this.lastReason = overload;
    const { exitEventLoopP99Ms, exitInFlight, holdMs } = this.thresholds;
    const calm = sample.eventLoopP99Ms <= exitEventLoopP99Ms && sample.inFlightPeak <= exitInFlight;
    if (!calm) {
      this.calmSince = undefined;
      return undefined;
    }
    this.calmSince ??= nowMs;
    if (nowMs - this.calmSince < holdMs) return undefined;
    this.activeSince = undefined;
    this.calmSince = undefined;
    return 'stop';
  }

  private overload(sample: LoadSample): string | undefined {
    const { enterEventLoopP99Ms, enterInFlight } = this.thresholds;
    if (sample.eventLoopP99Ms > enterEventLoopP99Ms) return `eventLoopP99Ms ${Math.round(sample.eventLoopP99Ms)} > ${enterEventLoopP99Ms}`;
    if (sample.inFlightPeak > enterInFlight) return `inFlight ${sample.inFlightPeak} > ${enterInFlight}`;
    return undefined;
  }
}
