import type Redis from 'ioredis';
import { Cluster } from 'ioredis';

/**
 * A connection of the kit: one server (standalone or through Sentinel) or a
 * Redis Cluster. Both take the same commands; what differs (a batch over keys
 * of several slots, SCAN of every primary, sharded pub/sub) is decided by
 * {@link isCluster}.
 */
export type RedisConnection = Redis | Cluster;

/** True when `connection` is an ioredis `Cluster`. */
export function isCluster(connection: RedisConnection): connection is Cluster {
  return connection instanceof Cluster;
}

/** The connections to every primary: the cluster's primaries, or the connection itself. */
export function primaries(connection: RedisConnection): Redis[] {
  return isCluster(connection) ? connection.nodes('master') : [connection];
}
