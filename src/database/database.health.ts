import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { withTimeout } from '../lifecycle';
import { DatabaseService } from './database.service';

/** PostgreSQL health: `SELECT 1` bounded by a timeout, with its latency. */
@Injectable()
export class PostgresHealthIndicator {
  constructor(
    private readonly database: DatabaseService,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    if (!this.database.isReady()) return indicator.down({ message: 'not connected or not migrated yet' });
    const startedAt = performance.now();
    try {
      await withTimeout(this.database.query('SELECT 1'), timeoutMs, 'SELECT 1');
      return indicator.up({ latencyMs: Math.round((performance.now() - startedAt) * 10) / 10 });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      return indicator.down({
        message: cause instanceof Error ? cause.message : String(cause),
        latencyMs: Math.round((performance.now() - startedAt) * 10) / 10,
      });
    }
  }
}
