import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

/** Options of {@link KeyvIoredisStore}. */
export interface KeyvIoredisStoreOptions {
  /** Prepended to every key, e.g. `bulwark:cache:`. `clear()` deletes exactly the keys starting with it. */
  readonly keyPrefix: string;
}

/** Keys per SCAN step and per UNLINK of `clear()`: big enough for few round trips, small enough not to block Redis. */
const CLEAR_BATCH = 500;

/**
 * A Keyv 5 storage adapter on the app's shared ioredis client (the project
 * uses one Redis library; `@keyv/redis` would bring node-redis).
 *
 * Keys: this adapter does all the prefixing, `<keyPrefix><key>`. Keyv must be
 * built with `useKeyPrefix: false`: Keyv's own prefixing (`<namespace>:<key>`,
 * default namespace `keyv`) is inconsistent in 5.6 (`get`/`set` skip the
 * prefix when the key already starts with `<namespace>:`, `getMany`/`deleteMany`
 * always add it), so a key like `cache:x` would be written and read under two
 * names. `namespace`, which Keyv assigns, is kept for the interface and ignored.
 *
 * Round trips: `getMany` is one MGET, `setMany` one pipeline of `SET … PX`,
 * `deleteMany` one UNLINK. `clear` SCANs `<keyPrefix>*` and UNLINKs in batches:
 * never a whole-database flush and never KEYS, since queues and other apps share the Redis.
 *
 * Errors propagate (the client has no offline queue, so a command fails at
 * once while disconnected). `disconnect` does nothing: the client is shared
 * and closed by its owner.
 */
export class KeyvIoredisStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: KeyvIoredisStoreOptions;
  /** Assigned by Keyv; not used for keys (see the class comment). */
  namespace?: string;

  constructor(
    private readonly client: Redis,
    options: KeyvIoredisStoreOptions,
  ) {
    super();
    this.opts = { ...options };
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const text = await this.client.get(this.redisKey(key));
    return (text ?? undefined) as StoredData<Value> | undefined;
  }

  /** One MGET; the result is aligned with `keys`. */
  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    if (keys.length === 0) return [];
    const texts = await this.client.mget(keys.map((key) => this.redisKey(key)));
    return texts.map((text) => (text ?? undefined) as StoredData<Value | undefined>);
  }

  /** `SET key value PX ttl`; without a positive `ttl` the key does not expire. */
  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    if (isTtl(ttl)) await this.client.set(this.redisKey(key), value, 'PX', Math.ceil(ttl));
    else await this.client.set(this.redisKey(key), value);
    return true;
  }

  /** One pipeline of SETs (one write, one round trip); throws the first command error. */
  async setMany(entries: Array<{ key: string; value: string; ttl?: number }>): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const { key, value, ttl } of entries) {
      if (isTtl(ttl)) pipeline.set(this.redisKey(key), value, 'PX', Math.ceil(ttl));
      else pipeline.set(this.redisKey(key), value);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.unlink(this.redisKey(key))) > 0;
  }

  /** One UNLINK for all keys. */
  async deleteMany(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return false;
    return (await this.client.unlink(...keys.map((key) => this.redisKey(key)))) > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.client.exists(this.redisKey(key))) > 0;
  }

  /** Deletes the keys under `keyPrefix`, and nothing else: SCAN MATCH + UNLINK per batch. */
  async clear(): Promise<void> {
    const pattern = `${escapeGlob(this.opts.keyPrefix)}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', CLEAR_BATCH);
      if (keys.length > 0) await this.client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  /** Nothing to do: the shared client is closed by its owner. */
  async disconnect(): Promise<void> {}

  private redisKey(key: string): string {
    return this.opts.keyPrefix + key;
  }
}

function isTtl(ttl: number | undefined): ttl is number {
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0;
}

/** Escapes Redis glob metacharacters, so the prefix matches literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
