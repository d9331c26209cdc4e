import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import type { RedisConfig } from './redis.config';
import type { ShutdownSequence } from '../lifecycle';
import { backoffMs } from '../resilience';

/**
 * Creates an ioredis client that never blocks a request on a Redis outage:
 * no offline queue (a command while disconnected fails at once instead of
 * piling up in memory), one attempt per command, and reconnection forever
 * with a jittered, capped backoff. Logs connection state changes, not every
 * error, so an outage writes a handful of lines.
 *
 * `subscriber`: a pub/sub connection whose owner subscribes again on every
 * `ready` itself (and handles the failure). ioredis's own re-subscription
 * after a reconnect is then turned off: it sends SUBSCRIBE without handling
 * the reply, so a connection closed before the reply arrives (a shutdown
 * right after a reconnect) rejected it with no one waiting, an unhandled
 * rejection that crashes the process (seen in the bus e2e test).
 */
export function createRedisClient(config: RedisConfig, name: string, { subscriber = false }: { subscriber?: boolean } = {}): Redis {
  const logger = new Logger(`Redis:${name}`);
  const client = new Redis(config.url, {
    connectionName: name,
    connectTimeout: config.connectTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    autoResubscribe: !subscriber,
    retryStrategy: (attempt) => backoffMs(attempt, config.retryMaxDelayMs),
  });
  let down = false;
  client.on('ready', () => {
    if (down) logger.log('connection restored');
    down = false;
  });
  client.on('error', (error: Error) => {
    if (!down) logger.warn({ err: { message: error.message } }, 'connection lost; reconnecting in the background');
    down = true;
  });
  return client;
}

/**
 * Registers `redis` with the shutdown sequence's `redis` phase: QUIT politely
 * (pending replies arrive first), or drop the socket when Redis is
 * unreachable, or when QUIT gets no answer within the step bound.
 */
export function closeOnShutdown(shutdown: ShutdownSequence, name: string, redis: Redis): void {
  shutdown.register(
    'redis',
    name,
    async () => {
      if (redis.status === 'ready') await redis.quit();
      else redis.disconnect();
    },
    { abandon: () => redis.disconnect() },
  );
}
