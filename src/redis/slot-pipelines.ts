import calculateSlot from 'cluster-key-slot';
import type { ChainableCommander } from 'ioredis';
import { isCluster, type RedisConnection } from './redis.connection';

/** The items of one slot (all items on a single server) and the replies of what was queued for them. */
export interface SlotReplies<T> {
  readonly items: readonly T[];
  readonly replies: unknown[];
}

/**
 * Batches that span many keys, on a single server or a cluster: `add` queues
 * the commands of one slot's items (a multi-key command such as MGET or UNLINK
 * may take all of them), and each node gets one pipeline, sent in parallel.
 * On a single server there is one slot group, all the items in their order,
 * and one pipeline. A cluster refuses a multi-key command over several slots
 * (CROSSSLOT), even on one node, and ioredis a pipeline over several nodes:
 * this is one round trip per node instead of one per key. Throws the first
 * command error.
 *
 * @example await pipelinePerNode(redis, keys, (k) => k, (pipeline, slotKeys) => pipeline.unlink(...slotKeys))
 */
export async function pipelinePerNode<T>(
  connection: RedisConnection,
  items: readonly T[],
  keyOf: (item: T) => string,
  add: (pipeline: ChainableCommander, slotItems: readonly T[]) => void,
): Promise<Array<SlotReplies<T>>> {
  if (items.length === 0) return [];
  const nodes = isCluster(connection) ? groupBySlot(items, keyOf, (slot) => connection._groupsBySlot[slot]) : [[[...items]]];
  const replies = await Promise.all(
    nodes.map(async (slots) => {
      const pipeline = connection.pipeline();
      const counts = slots.map((slotItems) => {
        const before = pipeline.length;
        add(pipeline, slotItems);
        return pipeline.length - before;
      });
      const all = await execOrThrow(pipeline);
      let at = 0;
      return slots.map((slotItems, i) => ({ items: slotItems, replies: all.slice(at, (at += counts[i])) }));
    }),
  );
  return replies.flat();
}

/**
 * MGET of `keys`, aligned with them: one MGET on a single server; on a cluster one MGET per
 * slot, in one pipeline per node ({@link pipelinePerNode}).
 */
export async function mgetPerSlot(connection: RedisConnection, keys: readonly string[]): Promise<Array<string | null>> {
  if (keys.length === 0) return [];
  if (!isCluster(connection)) return connection.mget([...keys]);
  const values = new Array<string | null>(keys.length).fill(null);
  const slots = await pipelinePerNode(
    connection,
    keys.map((key, index) => ({ key, index })),
    (item) => item.key,
    (pipeline, slotItems) => pipeline.mget(slotItems.map((item) => item.key)),
  );
  for (const { items, replies } of slots) {
    const texts = replies[0] as Array<string | null>;
    items.forEach((item, i) => (values[item.index] = texts[i]));
  }
  return values;
}

/** Runs the pipeline; throws the first command's error, else returns the replies. */
async function execOrThrow(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error)?.[0];
  if (failed) throw failed;
  return results.map(([, reply]) => reply);
}

/** Items by node group, then by slot, in their order within each slot. */
function groupBySlot<T>(items: readonly T[], keyOf: (item: T) => string, nodeOf: (slot: number) => number | undefined): T[][][] {
  const bySlot = new Map<number, T[]>();
  for (const item of items) {
    const slot = calculateSlot(keyOf(item));
    const list = bySlot.get(slot);
    if (list) list.push(item);
    else bySlot.set(slot, [item]);
  }
  const byNode = new Map<number | undefined, T[][]>();
  for (const [slot, slotItems] of bySlot) {
    const node = nodeOf(slot);
    const list = byNode.get(node);
    if (list) list.push(slotItems);
    else byNode.set(node, [slotItems]);
  }
  return [...byNode.values()];
}
