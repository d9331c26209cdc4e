import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { InjectConfig } from '../config';
import { redisConfig, type RedisConfig } from './redis.config';
import { ShutdownSequence, StartupTracker, healthConfig, type HealthConfig } from '../lifecycle';
import { closeOnShutdown, createRedisClient } from './redis.client';
import { REDIS_CLIENT } from './redis.constants';
import { RedisHealthIndicator } from './redis.health';

/**
 * The shared Redis connection. Global: the cache, queues, bus and health all
 * take `REDIS_CLIENT`. The app starts without Redis and connects when it can.
 */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    { provide: REDIS_CLIENT, inject: [redisConfig.token], useFactory: (config: RedisConfig) => createRedisClient(config, 'main') },
    RedisHealthIndicator,
  ],
  exports: [REDIS_CLIENT, RedisHealthIndicator],
})
export class RedisModule implements OnModuleInit {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @InjectConfig(healthConfig) private readonly health: HealthConfig,
    private readonly startup: StartupTracker,
    private readonly shutdown: ShutdownSequence,
  ) {}

  onModuleInit(): void {
    closeOnShutdown(this.shutdown, 'redis', this.redis);
    if (this.health.readyRequires.includes('redis')) {
      const ready = this.redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => this.redis.once('ready', resolve));
      this.startup.track('redis', ready);
    }
  }
}
