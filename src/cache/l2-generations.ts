import type { ChainableCommander } from 'ioredis';
import type Redis from 'ioredis';

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
 * under `<prefix>cache-gen:` (outside the cache namespace, so `clear()`
 * leaves it), moved on by every write before the value changes and read by
 * loads before they read anything. Each write is one pipeline; a fill is one
 * pipeline of a small script per key (one round trip for a whole batch).
 *
 * A counter lives `ttlMs` after its last write, which must be longer than any
 * load can take (the cache derives it from the loader's hard timeout): a load
 * that read "no generation" and then outlived the counter of a write made
 * meanwhile could store its old value.
 */
export class L2Generations {
  constructor(
    private readonly client: Redis,
    private readonly valuePrefix: string,
    private readonly generationPrefix: string,
    private readonly ttlMs: number,
  ) {
    if (!(FILL_COMMAND in client)) client.defineCommand(FILL_COMMAND, { numberOfKeys: 2, lua: FILL });
  }

  /** Moves each key's generation on, then stores its value. */
  async write(writes: readonly EncodedWrite[]): Promise<void> {
    const pipeline = this.client.pipeline();
    for (const { key, value, ttlMs } of writes) {
      this.bump(pipeline, key);
      pipeline.set(this.valuePrefix + key, value, 'PX', redisTtl(ttlMs));
    }
    await execOrThrow(pipeline);
  }

  /** Moves each key's generation on, then deletes the keys (one UNLINK). */
  async delete(keys: readonly string[]): Promise<void> {
    const pipeline = this.client.pipeline();
    for (const key of keys) this.bump(pipeline, key);
    pipeline.unlink(...keys.map((key) => this.valuePrefix + key));
    await execOrThrow(pipeline);
  }

  /** The generation of each key, `''` for none (one MGET). */
  async read(keys: readonly string[]): Promise<string[]> {
    const values = await this.client.mget(keys.map((key) => this.generationPrefix + key));
    return values.map((value) => value ?? '');
  }

  /** Stores each value whose key is still at `generation`; returns how many were stored. */
  async fill(fills: ReadonlyArray<EncodedWrite & { readonly generation: string }>): Promise<number> {
    const pipeline = this.client.pipeline() as FillCommander;
    for (const { key, value, ttlMs, generation } of fills) {
      pipeline[FILL_COMMAND](this.generationPrefix + key, this.valuePrefix + key, generation, value, redisTtl(ttlMs));
    }
    const results = await execOrThrow(pipeline);
    return results.filter((stored) => stored === 1).length;
  }

  private bump(pipeline: ChainableCommander, key: string): void {
    pipeline.incr(this.generationPrefix + key).pexpire(this.generationPrefix + key, this.ttlMs);
  }
}

/** Runs the pipeline; throws the first command's error, else returns the replies. */
async function execOrThrow(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error)?.[0];
  if (failed) throw failed;
  return results.map(([, reply]) => reply);
}

/** PX takes whole positive milliseconds; a non-positive TTL still overwrites, and expires at once. */
export function redisTtl(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}
