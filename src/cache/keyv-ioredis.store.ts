import { EventEmitter } from 'node:events';
import { mgetPerSlot, pipelinePerNode, primaries, slotKey, type RedisConnection } from '../redis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

/** Options of {@link KeyvIoredisStore}. */
export interface KeyvIoredisStoreOptions {
  /** Prepended to every key (`<keyPrefix>{<key>}`), e.g. `bulwark:cache:`. `clear()` deletes exactly the keys starting with it. */
  readonly keyPrefix: string;
}

/** Keys per SCAN step and per UNLINK of `clear()`: big enough for few round trips, small enough not to block Redis. */
const CLEAR_BATCH = 500;

/**
 * A Keyv 5 storage adapter on the app's shared ioredis client (the project
 * uses one Redis library; `@keyv/redis` would bring node-redis).
 *
 * Keys: this adapter does all the prefixing, `<keyPrefix>{<key>}` (`slotKey`). Keyv must be
 * built with `useKeyPrefix: false`: Keyv's own prefixing (`<namespace>:<key>`,
 * default namespace `keyv`) is inconsistent in 5.6 (`get`/`set` skip the
 * prefix when the key already starts with `<namespace>:`, `getMany`/`deleteMany`
 * always add it), so a key like `cache:x` would be written and read under two
 * names. `namespace`, which Keyv assigns, is kept for the interface and ignored.
 *
 * Round trips: `getMany` is one MGET, `setMany` one pipeline of `SET … PX`,
 * `deleteMany` one UNLINK. `clear` SCANs `<keyPrefix>*` and UNLINKs in batches:
 * never a whole-database flush and never KEYS, since queues and other apps share the Redis.
 * On a Redis Cluster each of them is one MGET / UNLINK per slot in one pipeline per node
 * (`pipelinePerNode`), and `clear` SCANs every primary.
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
    private readonly client: RedisConnection,
    options: KeyvIoredisStoreOptions,
  ) {
    super();
    this.opts = { ...options };
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const text = await this.client.get(this.redisKey(key));
    return (text ?? undefined) as StoredData<Value> | undefined;
  }

  /** One MGET (per slot on a cluster); the result is aligned with `keys`. */
  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    if (keys.length === 0) return [];
    const texts = await mgetPerSlot(
      this.client,
      keys.map((key) => this.redisKey(key)),
    );
    return texts.map((text) => (text ?? undefined) as StoredData<Value | undefined>);
  }

  /** `SET key value PX ttl`; without a positive `ttl` the key does not expire. */
  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    if (isTtl(ttl)) await this.client.set(this.redisKey(key), value, 'PX', Math.ceil(ttl));
    else await this.client.set(this.redisKey(key), value);
    return true;
  }

  /** One pipeline of SETs (one write, one round trip; one per node on a cluster); throws the first command error. */
  async setMany(entries: Array<{ key: string; value: string; ttl?: number }>): Promise<void> {
    await pipelinePerNode(
      this.client,
      entries,
      (entry) => this.redisKey(entry.key),
      (pipeline, slotEntries) => {
        for (const { key, value, ttl } of slotEntries) {
          if (isTtl(ttl)) pipeline.set(this.redisKey(key), value, 'PX', Math.ceil(ttl));
          else pipeline.set(this.redisKey(key), value);
        }
      },
    );
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.unlink(this.redisKey(key))) > 0;
  }

  /** One UNLINK for all keys (per slot on a cluster). */
  async deleteMany(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return false;
    return this.unlink(keys.map((key) => this.redisKey(key)));
  }

  async has(key: string): Promise<boolean> {
    return (await this.client.exists(this.redisKey(key))) > 0;
  }

  /** Deletes the keys under `keyPrefix`, and nothing else: SCAN MATCH + UNLINK per batch, on every primary of a cluster. */
  async clear(): Promise<void> {
    const pattern = `${escapeGlob(this.opts.keyPrefix)}*`;
    await Promise.all(
      primaries(this.client).map(async (node) => {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', CLEAR_BATCH);
          // Through the cluster client: one node's keys span several slots.
          if (keys.length > 0) await this.unlink(keys);
          cursor = next;
        } while (cursor !== '0');
      }),
    );
  }

  /** Nothing to do: the shared client is closed by its owner. */
  async disconnect(): Promise<void> {}

  /** UNLINK of Redis keys, per slot on a cluster; true when one existed. */
  private async unlink(keys: readonly string[]): Promise<boolean> {
    const slots = await pipelinePerNode(
      this.client,
      keys,
      (key) => key,
      (pipeline, slotKeys) => pipeline.unlink(...slotKeys),
    );
    return slots.some(({ replies }) => (replies[0] as number) > 0);
  }

  /** `<keyPrefix>{<key>}`: the key's own slot, shared with its generation (`L2Generations`). */
  private redisKey(key: string): string {
    return slotKey(this.opts.keyPrefix, key);
  }
}

function isTtl(ttl: number | undefined): ttl is number {
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0;
}

/** Escapes Redis glob metacharacters, so the prefix matches literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
