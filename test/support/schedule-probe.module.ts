import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { REDIS_QUEUE_CLIENT } from '../../src/redis/redis.constants';
import { redisConfig, type RedisConfig } from '../../src/redis/redis.config';
import { Schedules } from '../../src/schedules/schedules.service';

/** Period of both probe schedules. */
export const PROBE_EVERY_MS = 500;
/** Lease TTL of the fleet-once probe: a holder killed mid-run frees it within this. */
export const PROBE_LEASE_TTL_MS = 1_500;
/** How long one fleet-once probe run lasts (long enough to be killed in the middle of it). */
export const PROBE_RUN_MS = 200;

/**
 * A test-only feature with two schedules through the kit's public API: `probe-fleet`
 * (fleet-once) and `probe-pod` (every-pod). Each run appends `<pid>:<start ms>` to the Redis list
 * `<prefix>probe:<name>`, so a test sees which process ran each period.
 */
@Injectable()
class ScheduleProbe implements OnModuleInit {
  constructor(
    private readonly schedules: Schedules,
    @Inject(REDIS_QUEUE_CLIENT) private readonly redis: Redis,
    @Inject(redisConfig.token) private readonly config: RedisConfig,
  ) {}

  onModuleInit(): void {
    this.schedules.add({
      name: 'probe-fleet',
      scope: 'fleet-once',
      everyMs: PROBE_EVERY_MS,
      leaseTtlMs: PROBE_LEASE_TTL_MS,
      run: async () => {
        await this.record('probe-fleet');
        await sleep(PROBE_RUN_MS);
      },
    });
    this.schedules.add({ name: 'probe-pod', scope: 'every-pod', everyMs: PROBE_EVERY_MS, run: () => this.record('probe-pod') });
  }

  private async record(name: string): Promise<void> {
    await this.redis.rpush(`${this.config.keyPrefix}probe:${name}`, `${process.pid}:${Date.now()}`);
  }
}

@Module({ providers: [ScheduleProbe] })
export class ScheduleProbeModule {}
