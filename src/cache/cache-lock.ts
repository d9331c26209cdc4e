import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

/** Deletes the lock only when it still holds our token (it may have expired and been taken since). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A short Redis lock (`SET NX PX`) that lets one pod load a key while the
 * others wait briefly for it to fill L2. Best effort by design: when Redis
 * is unreachable `acquire` answers false at once and every pod loads on its
 * own (single-flight still holds per pod).
 */
export class CacheLock {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly ttlMs: number,
  ) {}

  /** A token when this caller now holds the lock for `key`, else undefined. Never throws. */
  async acquire(key: string): Promise<string | undefined> {
    if (this.redis.status !== 'ready') return undefined;
    const token = randomBytes(8).toString('hex');
    try {
      const reply = await this.redis.set(this.lockKey(key), token, 'PX', this.ttlMs, 'NX');
      return reply === 'OK' ? token : undefined;
    } catch {
      return undefined;
    }
  }

  /** Releases the lock if `token` still holds it. Never throws. */
  async release(key: string, token: string): Promise<void> {
    try {
      await this.redis.eval(RELEASE, 1, this.lockKey(key), token);
    } catch {
      // It expires by itself within ttlMs.
    }
  }

  private lockKey(key: string): string {
    return `${this.keyPrefix}cache-lock:${key}`;
  }
}
