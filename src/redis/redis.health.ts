import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { RedisConnection } from './redis.connection';
import { InjectConfig } from '../config';
import { withTimeout } from '../lifecycle';
import { QueueEvictionPolicy } from './queue-eviction-policy';
import { redisConfig, type RedisConfig } from './redis.config';
import { REDIS_CACHE_CLIENT, REDIS_QUEUE_CLIENT } from './redis.constants';
import { describeEndpoint, type RedisRole } from './redis.roles';

/** One role's PING. */
interface RoleHealth {
  readonly status: 'up' | 'down';
  readonly latencyMs?: number;
  readonly message?: string;
}

/**
 * Redis health: one PING per Redis, bounded by a timeout (terminus has no
 * Redis indicator, and ioredis on its own would wait for its connect timeout),
 * plus the queue Redis's `maxmemoryPolicy` (and a `warning` unless it is
 * `noeviction`; a detail, never a failure). When the cache and queue roles
 * reach different Redis, both are reported (`cache`, `queue`, each with its
 * endpoint) and the entry is up only when both are.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS_CACHE_CLIENT) private readonly cache: RedisConnection,
    @Inject(REDIS_QUEUE_CLIENT) private readonly queue: RedisConnection,
    @InjectConfig(redisConfig) private readonly config: RedisConfig,
    private readonly policy: QueueEvictionPolicy,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const { maxmemoryPolicy, warning } = this.policy.reading;
    const policy = { maxmemoryPolicy, ...(warning ? { warning } : {}) };
    if (this.config.rolesShared) {
      const { status, ...rest } = await ping(this.cache, timeoutMs);
      return status === 'up' ? indicator.up({ ...rest, ...policy }) : indicator.down({ ...rest, ...policy });
    }
    const [cache, queue] = await Promise.all([ping(this.cache, timeoutMs), ping(this.queue, timeoutMs)]);
    const data = { cache: { ...cache, endpoint: this.endpoint('cache') }, queue: { ...queue, endpoint: this.endpoint('queue'), ...policy } };
    return cache.status === 'up' && queue.status === 'up' ? indicator.up(data) : indicator.down(data);
  }

  private endpoint(role: RedisRole): string {
    return describeEndpoint(this.config.roles[role]);
  }
}

async function ping(redis: RedisConnection, timeoutMs: number): Promise<RoleHealth> {
  const startedAt = performance.now();
  if (redis.status !== 'ready') return { status: 'down', message: `not connected (${redis.status})` };
  try {
    await withTimeout(redis.ping(), timeoutMs, 'PING');
    return { status: 'up', latencyMs: round(performance.now() - startedAt) };
  } catch (error) {
    return { status: 'down', message: error instanceof Error ? error.message : String(error), latencyMs: round(performance.now() - startedAt) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
