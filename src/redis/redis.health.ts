import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from './redis.constants';
import { withTimeout } from '../lifecycle';

/**
 * Redis health: one PING bounded by a timeout (terminus has no Redis
 * indicator, and ioredis on its own would wait for its connect timeout).
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const startedAt = performance.now();
    if (this.redis.status !== 'ready') return indicator.down({ message: `not connected (${this.redis.status})` });
    try {
      await withTimeout(this.redis.ping(), timeoutMs, 'PING');
      return indicator.up({ latencyMs: round(performance.now() - startedAt) });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error), latencyMs: round(performance.now() - startedAt) });
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
