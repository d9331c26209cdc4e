import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisClientFactory } from './redis-client.factory';
import { REDIS_CLIENT } from './redis.constants';
import { RedisHealthIndicator } from './redis.health';
import { RedisReadiness } from './redis.readiness';

/**
 * The shared Redis connection and the factory of every other one. Global:
 * the cache, queues, bus and health all take `REDIS_CLIENT` or
 * `RedisClientFactory`. The app starts without Redis and connects when it can.
 */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    RedisClientFactory,
    {
      provide: REDIS_CLIENT,
      inject: [RedisClientFactory],
      useFactory: (clients: RedisClientFactory) => clients.create('command', 'main', { shutdownName: 'redis' }),
    },
    RedisHealthIndicator,
    RedisReadiness,
  ],
  exports: [REDIS_CLIENT, RedisClientFactory, RedisHealthIndicator],
})
export class RedisModule {}
