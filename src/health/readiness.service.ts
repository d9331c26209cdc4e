import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { InjectConfig } from '../config';
import { healthConfig, type HealthConfig, type ReadinessDependency, ReadinessDetails, ShutdownSequence, StartupTracker } from '../lifecycle';
import { PostgresHealthIndicator } from '../database';
import { RedisHealthIndicator } from '../redis';

/**
 * `ok`: every dependency up. `degraded`: a dependency that is not required
 * (`HEALTH_READY_REQUIRES`) is down; the pod still serves, from caches and
 * fallbacks. `error`: start-up unfinished or a required dependency down.
 * `shutting_down`: SIGTERM received; the pod is draining.
 */
export type ReadinessStatus = 'ok' | 'degraded' | 'error' | 'shutting_down';

/** The `/health/ready` body: terminus' shape plus the `degraded` status. */
export interface ReadinessReport {
  readonly status: ReadinessStatus;
  readonly info: HealthIndicatorResult;
  readonly error: HealthIndicatorResult;
  readonly details: HealthIndicatorResult;
}

/**
 * Decides whether this pod can serve. Checks every dependency in parallel
 * (each bounded by `HEALTH_CHECK_TIMEOUT_MS`) and reports them all with their
 * latency, but only the required ones fail readiness: a shared dependency
 * that the app can do without must not take every pod out of the Service at once.
 */
@Injectable()
export class ReadinessService {
  constructor(
    @InjectConfig(healthConfig) private readonly config: HealthConfig,
    private readonly postgres: PostgresHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly startup: StartupTracker,
    private readonly shutdown: ShutdownSequence,
    private readonly extra: ReadinessDetails,
  ) {}

  async check(): Promise<ReadinessReport> {
    const extraDetails = this.extra.collect(this.config.checkTimeoutMs);
    const results: Record<ReadinessDependency, HealthIndicatorResult> = Object.fromEntries(
      await Promise.all([
        this.postgres.check('postgres', this.config.checkTimeoutMs).then((r) => ['postgres', r] as const),
        this.redis.check('redis', this.config.checkTimeoutMs).then((r) => ['redis', r] as const),
      ]),
    ) as Record<ReadinessDependency, HealthIndicatorResult>;

    const info: HealthIndicatorResult = {};
    const error: HealthIndicatorResult = {};
    let requiredDown = false;
    let optionalDown = false;
    for (const [name, result] of Object.entries(results) as [ReadinessDependency, HealthIndicatorResult][]) {
      const entry = result[name];
      const required = this.config.readyRequires.includes(name);
      const details = { ...entry, required };
      if (entry.status === 'up') {
        info[name] = details;
      } else {
        error[name] = details;
        if (required) requiredDown = true;
        else optionalDown = true;
      }
    }
    const started = this.startup.isComplete();
    if (!started) error['startup'] = { status: 'down', tasks: this.startup.snapshot() };

    // Figures such as queue lag are shown, never judged: they do not change the status.
    Object.assign(info, await extraDetails);
    return { status: this.status(started, requiredDown, optionalDown), info, error, details: { ...info, ...error } };
  }

  private status(started: boolean, requiredDown: boolean, optionalDown: boolean): ReadinessStatus {
    if (this.shutdown.isDraining()) return 'shutting_down';
    if (!started || requiredDown) return 'error';
    return optionalDown ? 'degraded' : 'ok';
  }
}

/** HTTP status of a readiness report: only `ok` and `degraded` serve traffic. */
export function readinessHttpStatus(status: ReadinessStatus): 200 | 503 {
  switch (status) {
    case 'ok':
    case 'degraded':
      return 200;
    case 'error':
    case 'shutting_down':
      return 503;
    default: {
      const unknown: never = status;
      throw new Error(`unknown readiness status ${String(unknown)}`);
    }
  }
}
