import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { primaries, type RedisConnection } from './redis.connection';
import { InjectConfig } from '../config';
import { withTimeout } from '../lifecycle';
import { redisConfig, type RedisConfig } from './redis.config';
import { REDIS_QUEUE_CLIENT } from './redis.constants';
import { QueueEvictionPolicyError } from './redis.errors';

/** With REDIS_QUEUE_REQUIRE_NOEVICTION=true, how long the boot waits for the queue Redis to answer before it refuses. */
const BOOT_READ_TIMEOUT_MS = 10_000;
/** Bound of one read of the policy. */
const READ_TIMEOUT_MS = 2_000;

/** What the queue Redis reported: a policy name, or `unknown` when neither CONFIG GET nor INFO told (or it was not reachable). */
export interface EvictionPolicyReading {
  readonly maxmemoryPolicy: string;
  /** Set unless the policy is `noeviction`. */
  readonly warning?: string;
}

/**
 * Reads `maxmemory-policy` of the queue Redis (BullMQ and the write state need
 * `noeviction`: an evicting policy may delete acknowledged, queued writes; on a
 * cluster, of every primary) at start and again on each reconnection (a failover may land on a server set up
 * otherwise). `CONFIG GET` first; where CONFIG is disabled (managed Redis),
 * `INFO memory`; else `unknown`. Anything but `noeviction` is a warning log and
 * a `/health/ready` detail, never a readiness failure; with
 * REDIS_QUEUE_REQUIRE_NOEVICTION=true the boot waits for the first reading (up
 * to 10 s) and refuses to start with {@link QueueEvictionPolicyError} unless it
 * is `noeviction`. A policy changed after start is logged, not fatal.
 */
@Injectable()
export class QueueEvictionPolicy implements OnModuleInit {
  private readonly logger = new Logger('RedisQueuePolicy');
  private current: EvictionPolicyReading = { maxmemoryPolicy: 'unknown', warning: 'not read yet (the queue Redis has not answered)' };

  constructor(
    @Inject(REDIS_QUEUE_CLIENT) private readonly redis: RedisConnection,
    @InjectConfig(redisConfig) private readonly config: RedisConfig,
  ) {}

  /** The last reading, for `/health/ready`. */
  get reading(): EvictionPolicyReading {
    return this.current;
  }

  async onModuleInit(): Promise<void> {
    this.redis.on('ready', () => void this.read());
    if (!this.config.queue.requireNoeviction) {
      if (this.redis.status === 'ready') void this.read();
      return;
    }
    const ready = this.redis.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => this.redis.once('ready', () => resolve()));
    try {
      await withTimeout(ready, BOOT_READ_TIMEOUT_MS, 'the queue Redis');
    } catch {
      throw new QueueEvictionPolicyError(`its policy could not be read: it did not answer within ${BOOT_READ_TIMEOUT_MS / 1000} s`);
    }
    const reading = await this.read();
    if (reading.maxmemoryPolicy !== 'noeviction') throw new QueueEvictionPolicyError(reading.warning ?? reading.maxmemoryPolicy);
  }

  /** Reads the policy now, keeps it and logs a warning unless it is `noeviction`. */
  async read(): Promise<EvictionPolicyReading> {
    const policy = await this.fetch();
    const warning =
      policy === 'noeviction'
        ? undefined
        : policy === 'unknown'
          ? 'its maxmemory-policy could not be read (CONFIG GET and INFO refused): make sure it is noeviction'
          : `its maxmemory-policy is ${policy}, not noeviction: under memory pressure Redis may delete queued writes that were acknowledged`;
    this.current = { maxmemoryPolicy: policy, ...(warning ? { warning } : {}) };
    if (warning) this.logger.warn(`queue Redis: ${warning}`);
    return this.current;
  }

  /** The policy of the queue Redis; on a cluster, of every primary (the first one that is not `noeviction`, else `noeviction`). */
  private async fetch(): Promise<string> {
    const nodes = primaries(this.redis);
    if (nodes.length === 0) return 'unknown';
    const policies = await Promise.all(nodes.map((node) => this.fetchFrom(node)));
    return policies.find((policy) => policy !== 'noeviction') ?? 'noeviction';
  }

  private async fetchFrom(node: Redis): Promise<string> {
    try {
      const reply = (await withTimeout(node.config('GET', 'maxmemory-policy'), READ_TIMEOUT_MS, 'CONFIG GET')) as string[];
      if (typeof reply[1] === 'string' && reply[1] !== '') return reply[1];
    } catch {
      // CONFIG may be renamed away or not permitted (managed Redis): INFO still says it.
    }
    try {
      const info = await withTimeout(node.info('memory'), READ_TIMEOUT_MS, 'INFO memory');
      return /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? 'unknown';
    } catch {
      return 'unknown';
    }
  }
}
