import { Injectable } from '@nestjs/common';
import type { RedisConnection } from './redis.connection';
import { InjectConfig } from '../config';
import { ShutdownSequence } from '../lifecycle';
import { closeOnShutdown, createRedisClient, REDIS_PROFILES, type RedisClientProfile, type RedisCloseMode } from './redis.client';
import { redisConfig, type RedisConfig } from './redis.config';
import type { RedisRole } from './redis.roles';

/** Options of {@link RedisClientFactory.create}. */
export interface RedisClientOptions {
  /** The closer's name in the shutdown sequence (and its logs). @default the connection's name */
  readonly shutdownName?: string;
  /** How the shutdown sequence closes it, instead of its profile's mode (a `queue-worker` connection given to a library that does not close it). @default the profile's */
  readonly close?: RedisCloseMode;
}

/**
 * Every Redis connection of the kit comes from here: one per use, to the
 * Redis of its role (`cache` or `queue`, see `RedisRole`: standalone or
 * through Sentinel), with the options of its profile (`REDIS_PROFILES`), closed in the shutdown
 * sequence's `redis` phase as the profile says (`queue-worker` connections
 * are closed by their worker).
 *
 * @example { provide: CACHE_BUS_SUBSCRIBER, inject: [RedisClientFactory], useFactory: (clients: RedisClientFactory) => clients.create('cache', 'subscriber', 'cache-bus') }
 */
@Injectable()
export class RedisClientFactory {
  constructor(
    @InjectConfig(redisConfig) private readonly config: RedisConfig,
    private readonly shutdown: ShutdownSequence,
  ) {}

  /** A new connection to the Redis of `role`, named `name` (CLIENT LIST shows it). */
  create(role: RedisRole, profile: RedisClientProfile, name: string, { shutdownName = name, close }: RedisClientOptions = {}): RedisConnection {
    const client = createRedisClient(this.config, role, name, profile);
    const mode = close ?? REDIS_PROFILES[profile].close;
    switch (mode) {
      case 'quit':
      case 'disconnect':
        closeOnShutdown(this.shutdown, shutdownName, client, mode);
        return client;
      case 'owner':
        return client;
      default: {
        const unknown: never = mode;
        throw new Error(`unknown close mode ${String(unknown)}`);
      }
    }
  }
}
