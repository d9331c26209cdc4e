import { Logger } from '@nestjs/common';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { RedisConfig } from './redis.config';
import type { RedisConnection } from './redis.connection';
import { clusterNodeOptions, endpointOptions, type RedisEndpoint, type RedisRole } from './redis.roles';
import type { ShutdownSequence } from '../lifecycle';
import { backoffMs } from '../resilience';

/**
 * What a connection is for; each kind gets the options it needs (see {@link REDIS_PROFILES}).
 *
 * - `command`: a role's shared client (cache: L2, locks, hot keys; queue: write state, switch overrides; health).
 * - `subscriber`: a dedicated pub/sub connection, subscribed with `subscribeOnReady`.
 * - `queue-producer`: the connection of BullMQ queues (adds, counts, rate limits).
 * - `queue-worker`: one BullMQ worker's connection (BullMQ duplicates it for its blocking BZPOPMIN).
 */
export type RedisClientProfile = 'command' | 'subscriber' | 'queue-producer' | 'queue-worker';

/** How a connection of a profile is closed at shutdown: QUIT (bounded), drop the socket, or left to its owner. */
export type RedisCloseMode = 'quit' | 'disconnect' | 'owner';

interface RedisProfile {
  readonly options: Pick<RedisOptions, 'enableOfflineQueue' | 'maxRetriesPerRequest' | 'autoResubscribe'>;
  readonly close: RedisCloseMode;
}

/**
 * The options that differ between profiles; the rest (URL, connect timeout,
 * jittered reconnection backoff capped at REDIS_RETRY_MAX_DELAY_MS, logging)
 * is the same for every connection.
 */
export const REDIS_PROFILES: Readonly<Record<RedisClientProfile, RedisProfile>> = {
  // Never blocks a request on an outage: no offline queue (a command while disconnected fails at once instead
  // of piling up in memory) and one attempt per command.
  command: { options: { enableOfflineQueue: false, maxRetriesPerRequest: 1 }, close: 'quit' },
  // The owner subscribes again on every `ready` (`subscribeOnReady`), so ioredis's own re-subscription is off:
  // it sends SUBSCRIBE without handling the reply, and a connection closed before the reply arrives (a shutdown
  // right after a reconnect) rejected it with no one waiting, an unhandled rejection that crashed the process
  // (seen in the bus e2e test). Nothing waits for a reply at shutdown: the socket is dropped.
  subscriber: { options: { enableOfflineQueue: false, maxRetriesPerRequest: 1, autoResubscribe: false }, close: 'disconnect' },
  // BullMQ's queue initialises itself with a command it sends at once and memoises the failure of: the
  // connection keeps an offline queue, and the producer fails fast by checking the connection before each add
  // (`WriteBehind.write`), one attempt per command, bounded by a timeout.
  'queue-producer': { options: { enableOfflineQueue: true, maxRetriesPerRequest: 1 }, close: 'quit' },
  // BullMQ requires it of workers: blocking commands wait through reconnections instead of failing. The
  // worker closes its own connections (`WriteBehindWorker.close`, in the `queues` phase).
  'queue-worker': { options: { enableOfflineQueue: true, maxRetriesPerRequest: null }, close: 'owner' },
};

/**
 * The one place an ioredis client is created: `role` says which Redis
 * (see {@link RedisRole}), `profile` sets what differs (see
 * {@link REDIS_PROFILES}); every client reconnects forever with a jittered,
 * capped backoff (through Sentinel: to whichever server is the primary then)
 * and logs connection state changes, not every error, so an outage writes a
 * handful of lines. On a Redis Cluster it is an ioredis `Cluster` (see
 * {@link createClusterClient}). In the app, take clients from
 * `RedisClientFactory`, which also closes them at shutdown.
 *
 * @example createRedisClient(config, 'cache', 'cache-bus', 'subscriber')
 */
export function createRedisClient(config: RedisConfig, role: RedisRole, name: string, profile: RedisClientProfile = 'command'): RedisConnection {
  const logger = new Logger(`Redis:${name}`);
  const endpoint = config.roles[role];
  let client: RedisConnection;
  if (endpoint.kind === 'cluster') client = createClusterClient(config, endpoint, name, profile);
  else {
    const { url, ...options } = redisOptions(config, role, name, profile);
    client = url === undefined ? new Redis(options) : new Redis(url, options);
  }
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
 * An ioredis `Cluster` with the profile's semantics: the same offline queue
 * (off: a command while the cluster is unreachable fails at once), attempts
 * per command, connect timeout, and jittered backoff (between attempts to reach
 * the cluster again), `enableReadyCheck`; user, password and TLS from the role's
 * URL. A `subscriber` uses sharded pub/sub (one connection per primary,
 * `SSUBSCRIBE`, see `subscribeOnReady`). No ioredis `keyPrefix`: BullMQ refuses it.
 */
export function createClusterClient(
  config: RedisConfig,
  endpoint: Extract<RedisEndpoint, { kind: 'cluster' }>,
  name: string,
  profile: RedisClientProfile,
): Cluster {
  const { enableOfflineQueue, ...perCommand } = REDIS_PROFILES[profile].options;
  return new Cluster(
    endpoint.nodes.map(({ host, port }) => ({ host, port })),
    {
      enableReadyCheck: true,
      enableOfflineQueue,
      clusterRetryStrategy: (attempt) => backoffMs(attempt, config.retryMaxDelayMs),
      shardedSubscribers: profile === 'subscriber',
      redisOptions: { ...clusterNodeOptions(endpoint), connectionName: name, connectTimeout: config.connectTimeoutMs, ...perCommand },
    },
  );
}

/**
 * The ioredis options of a connection of `role` and `profile` (where to connect included: a `url`,
 * or Sentinel's `sentinels` + `name`): what {@link createRedisClient} creates, and what a library
 * that makes its own connections is given (the job queues hand these to BullMQ, which creates,
 * duplicates and closes its connections itself; a duplicate keeps the Sentinel options, so
 * BullMQ's blocking connections follow a failover too).
 */
export function redisOptions(
  config: RedisConfig,
  role: RedisRole,
  name: string,
  profile: RedisClientProfile,
): RedisOptions & { url?: string; retryStrategy: (attempt: number) => number } {
  const endpoint = config.roles[role];
  if (endpoint.kind === 'cluster') throw new Error(`the ${role} role is a Redis Cluster: make a Cluster client (createRedisClient), not options`);
  return {
    ...endpointOptions(endpoint),
    connectionName: name,
    connectTimeout: config.connectTimeoutMs,
    retryStrategy: (attempt) => backoffMs(attempt, config.retryMaxDelayMs),
    ...REDIS_PROFILES[profile].options,
  };
}

/**
 * Registers `redis` with the shutdown sequence's `redis` phase. `quit`: QUIT
 * politely (pending replies arrive first), or drop the socket when Redis is
 * unreachable, or when QUIT gets no answer within the step bound
 * (SHUTDOWN_STEP_TIMEOUT_MS). `disconnect`: drop the socket.
 */
export function closeOnShutdown(shutdown: ShutdownSequence, name: string, redis: RedisConnection, mode: Exclude<RedisCloseMode, 'owner'> = 'quit'): void {
  if (mode === 'disconnect') {
    shutdown.register('redis', name, async () => redis.disconnect());
    return;
  }
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
