import Redis, { Cluster } from 'ioredis';
import { pipelinePerNode, primaries, type RedisConnection } from '../../src/redis';
import { TEST_REDIS_CLUSTER_NODES, TEST_REDIS_URL } from './services';

/** Keys of `client` matching `pattern`, by SCAN (never KEYS); on a cluster, of every primary. */
export async function scanKeys(client: RedisConnection, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of primaries(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return found.sort();
}

/** Unlinks every key under `prefix` on the Redis at `url`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await unlinkAll(client, prefix);
  } finally {
    client.disconnect();
  }
}

/**
 * A connected client to the Redis the test apps use (see `testEnv`): the cluster of
 * TEST_REDIS_CLUSTER_NODES when set, else TEST_REDIS_URL (`maxRetriesPerRequest: null` for a
 * BullMQ worker). The caller disconnects it.
 */
export async function connectTestRedis({ maxRetriesPerRequest = 1 }: { maxRetriesPerRequest?: number | null } = {}): Promise<RedisConnection> {
  if (TEST_REDIS_CLUSTER_NODES === '') {
    const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest });
    await client.connect();
    return client;
  }
  const nodes = TEST_REDIS_CLUSTER_NODES.split(',').map((item) => ({ host: item.split(':')[0], port: Number(item.split(':')[1]) }));
  const cluster = new Cluster(nodes, { lazyConnect: true, redisOptions: { maxRetriesPerRequest } });
  await cluster.connect();
  return cluster;
}

/** Unlinks every key under `prefix` on the Redis the test apps use ({@link connectTestRedis}). */
export async function deleteTestKeys(prefix: string): Promise<void> {
  const client = await connectTestRedis();
  try {
    await unlinkAll(client, prefix);
  } finally {
    client.disconnect();
  }
}

async function unlinkAll(client: RedisConnection, prefix: string): Promise<void> {
  const keys = await scanKeys(client, `${prefix}*`);
  await pipelinePerNode(
    client,
    keys,
    (key) => key,
    (pipeline, slotKeys) => pipeline.unlink(...slotKeys),
  );
}
