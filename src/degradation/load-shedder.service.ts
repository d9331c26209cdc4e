import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { InjectConfig } from '../config';
import { degradationConfig, type DegradationConfig } from './degradation.config';
import type { SheddingStatus } from './degradation.types';
import { FeatureSwitches } from './feature-switches.service';
import { InFlightCounter } from './in-flight.counter';
import { LoadSheddingPolicy, type LoadSample } from './load-shedding.policy';

/** Event-loop delay sampling resolution: fine enough for windows of a few hundred ms. */
const RESOLUTION_MS = 10;

/**
 * Load shedding: every DEGRADATION_SHED_SAMPLE_MS, takes the window's event-loop delay p99
 * (perf_hooks `monitorEventLoopDelay`) and peak in-flight requests ({@link InFlightCounter}),
 * lets {@link LoadSheddingPolicy} decide, and turns shedding on or off in {@link FeatureSwitches}
 * (non-essential features without a manual state go to `fallback`). Each start and stop is
 * logged (warn / info, with the reason) and counted, as is each switch it moves.
 */
@Injectable()
export class LoadShedder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('LoadShedding');
  private readonly policy: LoadSheddingPolicy;
  private histogram?: IntervalHistogram;
  private timer?: NodeJS.Timeout;
  private last: LoadSample = { eventLoopP99Ms: 0, inFlightPeak: 0 };
  private activations = 0;
  private deactivations = 0;

  constructor(
    @InjectConfig(degradationConfig) private readonly config: DegradationConfig,
    private readonly switches: FeatureSwitches,
    private readonly inFlight: InFlightCounter,
  ) {
    this.policy = new LoadSheddingPolicy(config.shedding);
  }

  onModuleInit(): void {
    this.switches.useSheddingStatus(() => this.status());
    if (!this.config.shedding.enabled) return;
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), this.config.shedding.sampleMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.histogram?.disable();
  }

  /** Shedding's state and the last window's measurements. */
  status(): SheddingStatus {
    const reason = this.policy.reason;
    return {
      enabled: this.config.shedding.enabled,
      active: this.policy.active,
      ...(reason === undefined ? {} : { reason }),
      activations: this.activations,
      deactivations: this.deactivations,
      eventLoopP99Ms: Math.round(this.last.eventLoopP99Ms * 10) / 10,
      inFlight: this.inFlight.current,
      inFlightPeak: this.last.inFlightPeak,
    };
  }

  private sample(): void {
    const histogram = this.histogram!;
    this.last = { eventLoopP99Ms: histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0, inFlightPeak: this.inFlight.takePeak() };
    histogram.reset();
    const transition = this.policy.observe(this.last, Date.now());
    switch (transition) {
      case undefined:
        return;
      case 'start':
        this.activations += 1;
        this.logger.warn({ reason: this.policy.reason, ...this.last }, `load shedding on (${this.policy.reason}): non-essential features to fallback`);
        this.switches.setShedding(true);
        return;
      case 'stop':
        this.deactivations += 1;
        this.logger.log({ ...this.last }, 'load shedding off: load back under the exit thresholds');
        this.switches.setShedding(false);
        return;
      default: {
        const unexpected: never = transition;
        throw new Error(`unknown shedding transition ${String(unexpected)}`);
      }
    }
  }
}
