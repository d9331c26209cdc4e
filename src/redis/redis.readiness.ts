import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { RedisConnection } from './redis.connection';
import { InjectConfig } from '../config';
import { StartupTracker, healthConfig, type HealthConfig } from '../lifecycle';
import { redisConfig, type RedisConfig } from './redis.config';
import { REDIS_CACHE_CLIENT, REDIS_QUEUE_CLIENT } from './redis.constants';

/** With `redis` in HEALTH_READY_REQUIRES, start-up waits for the first `ready` of each role's shared client. */
@Injectable()
export class RedisReadiness implements OnModuleInit {
  constructor(
    @Inject(REDIS_CACHE_CLIENT) private readonly cache: RedisConnection,
    @Inject(REDIS_QUEUE_CLIENT) private readonly queue: RedisConnection,
    @InjectConfig(redisConfig) private readonly config: RedisConfig,
    @InjectConfig(healthConfig) private readonly health: HealthConfig,
    private readonly startup: StartupTracker,
  ) {}

  onModuleInit(): void {
    if (!this.health.readyRequires.includes('redis')) return;
    const clients = this.config.rolesShared ? [this.cache] : [this.cache, this.queue];
    this.startup.track(
      'redis',
      Promise.all(clients.map(firstReady)).then(() => undefined),
    );
  }
}

function firstReady(redis: RedisConnection): Promise<unknown> {
  return redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', resolve));
}
