import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { InjectConfig } from '../config';
import { StartupTracker, healthConfig, type HealthConfig } from '../lifecycle';
import { REDIS_CLIENT } from './redis.constants';

/** With `redis` in HEALTH_READY_REQUIRES, start-up waits for the shared client's first `ready`. */
@Injectable()
export class RedisReadiness implements OnModuleInit {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @InjectConfig(healthConfig) private readonly health: HealthConfig,
    private readonly startup: StartupTracker,
  ) {}

  onModuleInit(): void {
    if (!this.health.readyRequires.includes('redis')) return;
    const ready = this.redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => this.redis.once('ready', resolve));
    this.startup.track('redis', ready);
  }
}
