import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';

/**
 * The node connection of `cluster` that a command on `slot` is sent on now,
 * or undefined when the slot has no known owner or it has no connection.
 *
 * ioredis keeps, per slot, the `host:port` keys of its nodes, the primary
 * first (`cluster.slots`, from CLUSTER SLOTS and updated on MOVED), and one
 * `Redis` per node key in its connection pool; a keyed command goes to the
 * pool's instance of `slots[slot][0]` (`Cluster.sendCommand`), the same object
 * `cluster.nodes()` lists, whose pool key is `options.host:options.port`.
 * Looked up in `nodes('all')` like the router does: right after a failover
 * the promoted node may still be listed as a replica for a moment while
 * commands already go to it.
 */
export function slotOwner(cluster: Cluster, slot: number): Redis | undefined {
  const key = cluster.slots[slot]?.[0];
  if (key === undefined) return undefined;
  return cluster.nodes('all').find((node) => `${node.options.host}:${node.options.port}` === key);
}
