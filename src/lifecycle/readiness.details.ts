import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { withTimeout } from './with-timeout';

/** A source of readiness details: figures operators want to see on `/health/ready`. */
export type ReadinessDetailsSource = () => Promise<Record<string, unknown>>;

/**
 * Extra `/health/ready` details that never fail readiness (queue depth, lag,
 * dead letters…): kit modules register a source; the readiness check reads
 * them all in parallel, each bounded by the check timeout. A source that
 * fails or times out is reported as `{ status: 'unknown', message }`.
 */
@Injectable()
export class ReadinessDetails {
  private readonly sources = new Map<string, ReadinessDetailsSource>();

  register(name: string, source: ReadinessDetailsSource): void {
    this.sources.set(name, source);
  }

  async collect(timeoutMs: number): Promise<HealthIndicatorResult> {
    const entries = await Promise.all(
      [...this.sources].map(async ([name, source]) => {
        try {
          return [name, { status: 'up', ...(await withTimeout(source(), timeoutMs, name)) }] as const;
        } catch (error) {
          return [name, { status: 'unknown', message: error instanceof Error ? error.message : String(error) }] as const;
        }
      }),
    );
    return Object.fromEntries(entries) as HealthIndicatorResult;
  }
}
