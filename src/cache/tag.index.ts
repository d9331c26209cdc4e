import type Redis from 'ioredis';

/**
 * Which keys carry a tag, in Redis sets (`<prefix>cache-tag:<tag>`), so that
 * `deleteByTag` finds keys written by any pod. Best effort: when Redis is
 * down the index misses the writes of that time, and those entries expire by
 * their TTL instead.
 */
export class TagIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  /** Records the tags of written entries; one pipeline. Never throws. */
  async add(entries: ReadonlyArray<{ key: string; tags: readonly string[]; ttlMs: number }>): Promise<void> {
    const tagged = entries.filter((e) => e.tags.length > 0);
    if (tagged.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { key, tags, ttlMs } of tagged) {
      for (const tag of tags) {
        pipeline.sadd(this.setKey(tag), key);
        // The set lives as long as its longest-lived member may.
        pipeline.pexpire(this.setKey(tag), ttlMs, 'GT');
        pipeline.pexpire(this.setKey(tag), ttlMs, 'NX');
      }
    }
    await pipeline.exec().catch(() => undefined);
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
