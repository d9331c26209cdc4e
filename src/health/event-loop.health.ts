import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Length of the window over which event-loop delay is measured. */
const WINDOW_MS = 5000;

/**
 * Event-loop delay of this process, the one signal liveness needs: a loop that
 * is stuck or saturated for seconds will not recover by itself. Keeps the p99
 * of the last complete window of {@link WINDOW_MS}.
 */
@Injectable()
export class EventLoopHealthIndicator implements OnModuleInit, OnModuleDestroy {
  private histogram?: IntervalHistogram;
  private timer?: NodeJS.Timeout;
  private lastP99Ms = 0;

  constructor(private readonly health: HealthIndicatorService) {}

  onModuleInit(): void {
    this.histogram = monitorEventLoopDelay({ resolution: 20 });
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.lastP99Ms = this.histogram!.percentile(99) / 1e6;
      this.histogram!.reset();
    }, WINDOW_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.histogram?.disable();
  }

  /** p99 event-loop delay of the last window, in milliseconds. */
  p99Ms(): number {
    return this.lastP99Ms;
  }

  check(key: string, maxDelayMs: number): HealthIndicatorResult {
    const indicator = this.health.check(key);
    const p99Ms = Math.round(this.lastP99Ms * 10) / 10;
    return p99Ms <= maxDelayMs ? indicator.up({ p99Ms }) : indicator.down({ p99Ms, maxDelayMs });
  }
}
