import type { ChainableCommander } from 'ioredis';
import { mgetPerSlot, pipelinePerNode, slotKey, type RedisConnection } from '../redis';

/** Stores a loaded value only while the key's generation is still the one read before the load. */
const FILL = `if (redis.call('get', KEYS[1]) or '') ~= ARGV[1] then return 0 end
redis.call('set', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1`;

/** The script's name on the client (ioredis sends it by SHA and falls back to EVAL on NOSCRIPT, in pipelines too). */
const FILL_COMMAND = 'bulwarkL2Fill';

type FillCommander = ChainableCommander &
  Record<typeof FILL_COMMAND, (generation: string, key: string, gen: string, value: string, ttlMs: number) => ChainableCommander>;

/** One value to write to Redis: the encoded entry and its TTL. */
export interface EncodedWrite {
  readonly key: string;
  readonly value: string;
  readonly ttlMs: number;
}

/**
 * The Redis side of L2's read-your-writes (see `L2Store`): a counter per key
 * under `<prefix>cache-gen:{<key>}` (outside the cache namespace, so `clear()`
 * leaves it; in the slot of the value `<prefix>cache:{<key>}`, which the fill
 * script takes with it), moved on by every write before the value changes and
 * read by loads before they read anything. Each write is one pipeline; a fill
 * is one pipeline of a small script per key (one round trip for a whole batch;
 * on a cluster one per node, see `pipelinePerNode`).
 *
 * A counter lives `ttlMs` after its last write, which must be longer than any
 * load can take (the cache derives it from the loader's hard timeout): a load
 * that read "no generation" and then outlived the counter of a write made
 * meanwhile could store its old value.
 */
export class L2Generations {
  constructor(
    private readonly client: RedisConnection,
    private readonly valuePrefix: string,
    private readonly generationPrefix: string,
    private readonly ttlMs: number,
  ) {
    if (!(FILL_COMMAND in client)) client.defineCommand(FILL_COMMAND, { numberOfKeys: 2, lua: FILL });
  }

  /** Moves each key's generation on, then stores its value. */
  async write(writes: readonly EncodedWrite[]): Promise<void> {
    await this.perNode(
      writes,
      (write) => write.key,
      (pipeline, slotWrites) => {
        for (const { key, value, ttlMs } of slotWrites) {
          this.bump(pipeline, key);
          pipeline.set(this.value(key), value, 'PX', redisTtl(ttlMs));
        }
      },
    );
  }

  /** Moves each key's generation on, then deletes the keys (one UNLINK). */
  async delete(keys: readonly string[]): Promise<void> {
    await this.perNode(
      keys,
      (key) => key,
      (pipeline, slotKeys) => {
        for (const key of slotKeys) this.bump(pipeline, key);
        pipeline.unlink(...slotKeys.map((key) => this.value(key)));
      },
    );
  }

  /** The generation of each key, `''` for none (one MGET; per slot on a cluster). */
  async read(keys: readonly string[]): Promise<string[]> {
    const values = await mgetPerSlot(
      this.client,
      keys.map((key) => this.generation(key)),
    );
    return values.map((value) => value ?? '');
  }

  /** Stores each value whose key is still at `generation`; returns how many were stored. */
  async fill(fills: ReadonlyArray<EncodedWrite & { readonly generation: string }>): Promise<number> {
    const slots = await this.perNode(
      fills,
      (fill) => fill.key,
      (pipeline, slotFills) => {
        for (const { key, value, ttlMs, generation } of slotFills) {
          (pipeline as FillCommander)[FILL_COMMAND](this.generation(key), this.value(key), generation, value, redisTtl(ttlMs));
        }
      },
    );
    return slots.reduce((stored, { replies }) => stored + replies.filter((reply) => reply === 1).length, 0);
  }

  private bump(pipeline: ChainableCommander, key: string): void {
    pipeline.incr(this.generation(key)).pexpire(this.generation(key), this.ttlMs);
  }

  /** One pipeline (one per node on a cluster), grouped by the slot of the value key. */
  private perNode<T>(items: readonly T[], keyOf: (item: T) => string, add: (pipeline: ChainableCommander, slotItems: readonly T[]) => void) {
    return pipelinePerNode(this.client, items, (item) => this.value(keyOf(item)), add);
  }

  private value(key: string): string {
    return slotKey(this.valuePrefix, key);
  }

  private generation(key: string): string {
    return slotKey(this.generationPrefix, key);
  }
}

/** PX takes whole positive milliseconds; a non-positive TTL still overwrites, and expires at once. */
export function redisTtl(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}
