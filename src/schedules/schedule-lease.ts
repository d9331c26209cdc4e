import { randomBytes } from 'node:crypto';
import type { RedisConnection } from '../redis';
import { withTimeout } from '../lifecycle';

/** Sets the lease's expiry again only while it still holds our token. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * Gives the lease up only while it still holds our token (it may have expired and been taken since):
 * deleted, or kept `ARGV[2]` ms more when that is positive (the rest of the period, so that no pod runs it twice in one).
 */
const RELEASE = `if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return redis.call('del', KEYS[1])`;

/** A lease this process holds: its token proves it on renew and release. */
export interface HeldLease {
  readonly name: string;
  readonly token: string;
}

/**
 * The Redis lease of a fleet-once schedule: `SET <prefix>schedule-lease:<name>
 * <token> NX PX`, renewed by compare-and-`PEXPIRE`, released by
 * compare-and-`DEL`. A holder that dies stops renewing, and the lease is free
 * again after its TTL. Every call is bounded by `timeoutMs` and throws when
 * Redis does not answer in time (the caller skips the run: running without
 * the lease could run it on every pod).
 */
export class ScheduleLease {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keyPrefix: string,
    private readonly timeoutMs: number,
  ) {}

  /** Takes the lease of `name` for `ttlMs`, or undefined when another process holds it. */
  async acquire(name: string, ttlMs: number): Promise<HeldLease | undefined> {
    const token = randomBytes(12).toString('hex');
    const reply = await withTimeout(this.redis.set(this.key(name), token, 'PX', ttlMs, 'NX'), this.timeoutMs, `lease of ${name}`);
    return reply === 'OK' ? { name, token } : undefined;
  }

  /** Extends a held lease to `ttlMs` from now; false when it is no longer ours (expired, taken). */
  async renew(lease: HeldLease, ttlMs: number): Promise<boolean> {
    const reply = await withTimeout(this.redis.eval(RENEW, 1, this.key(lease.name), lease.token, ttlMs), this.timeoutMs, `renewal of ${lease.name}`);
    return reply === 1;
  }

  /** Gives a held lease up, now or after `keepMs`; false when it was no longer ours. */
  async release(lease: HeldLease, keepMs = 0): Promise<boolean> {
    const reply = await withTimeout(
      this.redis.eval(RELEASE, 1, this.key(lease.name), lease.token, Math.max(0, Math.round(keepMs))),
      this.timeoutMs,
      `release of ${lease.name}`,
    );
    return reply === 1;
  }

  private key(name: string): string {
    return `${this.keyPrefix}schedule-lease:${name}`;
  }
}
