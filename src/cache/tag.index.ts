import { pipelinePerNode, type RedisConnection } from '../redis';

/**
 * Which keys carry a tag, in Redis sets (`<prefix>cache-tag:<tag>`), so that
 * `deleteByTag` finds keys written by any pod. Best effort: when Redis is
 * down the index misses the writes of that time, and those entries expire by
 * their TTL instead.
 */
export class TagIndex {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keyPrefix: string,
  ) {}

  /** Records the tags of written entries; one pipeline (one per node on a cluster). Never throws. */
  async add(entries: ReadonlyArray<{ key: string; tags: readonly string[]; ttlMs: number }>): Promise<void> {
    const memberships = entries.flatMap(({ key, tags, ttlMs }) => tags.map((tag) => ({ key, setKey: this.setKey(tag), ttlMs })));
    await pipelinePerNode(
      this.redis,
      memberships,
      (m) => m.setKey,
      (pipeline, slotMemberships) => {
        for (const { key, setKey, ttlMs } of slotMemberships) {
          pipeline.sadd(setKey, key);
          // The set lives as long as its longest-lived member may.
          pipeline.pexpire(setKey, ttlMs, 'GT');
          pipeline.pexpire(setKey, ttlMs, 'NX');
        }
      },
    ).catch(() => undefined);
  }

  /** Takes every key of `tag` and forgets the tag. */
  async take(tag: string): Promise<string[]> {
    const [[, keys]] = (await this.redis.multi().smembers(this.setKey(tag)).del(this.setKey(tag)).exec()) as [[Error | null, string[]], unknown];
    return keys;
  }

  private setKey(tag: string): string {
    return `${this.keyPrefix}cache-tag:${tag}`;
  }
}
