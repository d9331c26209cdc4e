import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ChainableCommander } from 'ioredis';
import { InjectConfig } from '../config';
import { queuePublish, redisConfig, type RedisConfig, type RedisConnection, REDIS_QUEUE_CLIENT, subscribeOnReady } from '../redis';
import { healthConfig, type HealthConfig, StartupTracker, withTimeout } from '../lifecycle';
import { DEGRADATION_SUBSCRIBER, OVERRIDES_CHANNEL, OVERRIDES_KEY } from './degradation.constants';
import { SwitchStoreUnavailableError } from './degradation.errors';
import { switchStateSchema } from './degradation.schemas';
import type { SwitchState } from './degradation.types';
import { FeatureSwitches } from './feature-switches.service';

/** A store call taking longer fails (the admin gets a 503, nothing changes). */
const STORE_TIMEOUT_MS = 2_000;

/**
 * Runtime overrides (the admin API's source), shared by every instance: a Redis hash under
 * REDIS_KEY_PREFIX holds them, so they survive restarts, and a pub/sub message on a dedicated
 * subscriber connection tells every instance to re-read the hash after a change. Re-reading
 * (rather than applying the message's payload) keeps every instance equal to the hash whatever
 * order messages and replies arrive in; changes are rare, so the extra HGETALL costs nothing.
 * The hash is read at start and again whenever either connection comes back, so an instance that
 * missed messages during an outage catches up. While Redis is unreachable the overrides last
 * read stay in force. With `redis` in HEALTH_READY_REQUIRES, start-up waits for the first read.
 */
@Injectable()
export class SwitchOverrideStore implements OnModuleInit {
  private readonly logger = new Logger('SwitchOverrides');
  private readonly key: string;
  private readonly channel: string;
  private reloading?: Promise<void>;
  /** The one read queued behind the running one. */
  private queued?: Promise<void>;
  /** Completed reloads since start (for tests and stats). */
  reloads = 0;
  private markLoaded: () => void = () => undefined;
  /** Resolves once the overrides have been read from Redis for the first time. */
  readonly loaded = new Promise<void>((resolve) => (this.markLoaded = resolve));

  constructor(
    @Inject(REDIS_QUEUE_CLIENT) private readonly redis: RedisConnection,
    @Inject(DEGRADATION_SUBSCRIBER) private readonly subscriber: RedisConnection,
    @InjectConfig(redisConfig) config: RedisConfig,
    @InjectConfig(healthConfig) private readonly health: HealthConfig,
    private readonly switches: FeatureSwitches,
    private readonly startup: StartupTracker,
  ) {
    this.key = `${config.keyPrefix}${OVERRIDES_KEY}`;
    this.channel = `${config.keyPrefix}${OVERRIDES_CHANNEL}`;
  }

  onModuleInit(): void {
    // Like the Redis connection itself: when Redis is required, the pod takes no traffic before the overrides are read.
    if (this.health.readyRequires.includes('redis')) this.startup.track('switch overrides', this.loaded);
    // Subscribed first, then read: a change made between the two is then seen by the read or by a message.
    subscribeOnReady(this.subscriber, this.channel, {
      onMessage: () => void this.reload(),
      onSubscribed: () => void this.reload(),
      onError: (error) => this.logger.warn({ err: { message: error.message } }, 'subscribing to switch changes failed; retried on reconnection'),
    });
    this.redis.on('ready', () => void this.reload());
    if (this.redis.status === 'ready') void this.reload();
  }

  /** Stores `state` as the override of `feature`, tells every instance, and applies it here. */
  async set(feature: string, state: SwitchState): Promise<void> {
    await this.write(queuePublish(this.redis, this.redis.multi().hset(this.key, feature, state), this.channel, feature));
  }

  /** Removes the override of `feature` everywhere (the file, env or default decide again). */
  async clear(feature: string): Promise<void> {
    await this.write(queuePublish(this.redis, this.redis.multi().hdel(this.key, feature), this.channel, feature));
  }

  /**
   * Re-reads every override from Redis and applies them. Resolves after a read that started after
   * the call: a call made during a read queues one more (calls queued together share it). Failures are logged; the next reconnection or message retries.
   */
  reload(): Promise<void> {
    if (!this.reloading) {
      this.reloading = this.readAll().finally(() => (this.reloading = undefined));
      return this.reloading;
    }
    this.queued ??= this.reloading.then(() => {
      this.queued = undefined;
      return this.reload();
    });
    return this.queued;
  }

  private async write(transaction: ChainableCommander): Promise<void> {
    try {
      const results = await withTimeout(transaction.exec(), STORE_TIMEOUT_MS, 'switch override write');
      const failed = results?.find(([error]) => error !== null);
      if (!results || failed) throw failed?.[0] ?? new Error('transaction aborted');
    } catch (error) {
      throw new SwitchStoreUnavailableError(error);
    }
    await this.reload();
  }

  private async readAll(): Promise<void> {
    // Not connected yet (start-up) or during an outage: the 'ready' event reads again.
    if (this.redis.status !== 'ready') return;
    let raw: Record<string, string>;
    try {
      raw = await withTimeout(this.redis.hgetall(this.key), STORE_TIMEOUT_MS, 'switch override read');
    } catch (error) {
      this.logger.warn({ err: { message: (error as Error).message } }, 'reading switch overrides failed; keeping the last ones read');
      return;
    }
    const overrides = new Map<string, SwitchState>();
    for (const [feature, value] of Object.entries(raw)) {
      const state = switchStateSchema.safeParse(value);
      if (state.success) overrides.set(feature, state.data);
      else this.logger.warn({ feature, value }, 'ignoring an invalid switch override in Redis');
    }
    this.switches.replaceOverrides(overrides);
    this.reloads += 1;
    this.markLoaded();
  }
}
