import { randomBytes } from 'node:crypto';
import type { RedisConnection } from '../redis';
import { withTimeout } from '../lifecycle';

/** Deletes the lock only when it still holds our token (it may have expired and been taken since). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Outcome of a lock attempt: this caller holds it (`token`), another pod
 * holds it (wait for that pod to fill L2), or Redis could not say (load at
 * once: waiting for a value nobody will write would only add latency).
 */
export type LockAttempt = { readonly kind: 'acquired'; readonly token: string } | { readonly kind: 'held-elsewhere' } | { readonly kind: 'unavailable' };

/**
 * A short Redis lock (`SET NX PX`) that lets one pod load a key while the
 * others wait briefly for it to fill L2. Best effort by design: every call is
 * bounded by `timeoutMs`, and when Redis is unreachable or slow the attempt is
 * `unavailable` and each pod loads on its own (single-flight still holds per pod).
 */
export class CacheLock {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keyPrefix: string,
    private readonly ttlMs: number,
    private readonly timeoutMs: number,
  ) {}

  /** Tries to take the lock for `key`. Never throws. */
  async acquire(key: string): Promise<LockAttempt> {
    if (this.redis.status !== 'ready') return { kind: 'unavailable' };
    const token = randomBytes(8).toString('hex');
    try {
      const reply = await withTimeout(this.redis.set(this.lockKey(key), token, 'PX', this.ttlMs, 'NX'), this.timeoutMs, 'cache lock');
      return reply === 'OK' ? { kind: 'acquired', token } : { kind: 'held-elsewhere' };
    } catch {
      return { kind: 'unavailable' };
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
