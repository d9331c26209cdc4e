import Redis from 'ioredis';

/** Keys of `client` matching `pattern`, by SCAN (never KEYS). */
export async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

/** Unlinks every key under `prefix` on the Redis at `url`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const keys = await scanKeys(client, `${prefix}*`);
    if (keys.length > 0) await client.unlink(...keys);
  } finally {
    client.disconnect();
  }
}
