import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { RedisConnection } from './redis.connection';
import { QueueEvictionPolicy } from './queue-eviction-policy';
import { RedisClientFactory } from './redis-client.factory';
import { redisConfig, type RedisConfig } from './redis.config';
import { REDIS_CACHE_CLIENT, REDIS_QUEUE_CLIENT } from './redis.constants';
import { RedisHealthIndicator } from './redis.health';
import { RedisReadiness } from './redis.readiness';

/**
 * The shared Redis clients of the two roles (`REDIS_CACHE_CLIENT`,
 * `REDIS_QUEUE_CLIENT`: one client when both reach the same Redis) and the
 * factory of every other connection. Global: the cache, queues, bus and health
 * all take them. The app starts without Redis and connects when it can; the
 * queue Redis's eviction policy is checked at start (`QueueEvictionPolicy`).
 */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    RedisClientFactory,
    {
      provide: REDIS_CACHE_CLIENT,
      inject: [RedisClientFactory, redisConfig.token],
      useFactory: (clients: RedisClientFactory, config: RedisConfig) =>
        clients.create('cache', 'command', 'main', { shutdownName: config.rolesShared ? 'redis' : 'redis cache' }),
    },
    {
      provide: REDIS_QUEUE_CLIENT,
      inject: [RedisClientFactory, redisConfig.token, REDIS_CACHE_CLIENT],
      useFactory: (clients: RedisClientFactory, config: RedisConfig, cache: RedisConnection) =>
        config.rolesShared ? cache : clients.create('queue', 'command', 'main-queue', { shutdownName: 'redis queue' }),
    },
    QueueEvictionPolicy,
    RedisHealthIndicator,
    RedisReadiness,
  ],
  exports: [REDIS_CACHE_CLIENT, REDIS_QUEUE_CLIENT, RedisClientFactory, RedisHealthIndicator, QueueEvictionPolicy],
})
export class RedisModule {}
