import type Redis from 'ioredis';
import { ClusterReplicaTarget, type ReplicaTarget } from './cluster-replica-target';
import { isCluster, type RedisConnection } from './redis.connection';
import { ReplicasUnconfirmedError } from './redis.errors';
import { sharedWaitOf } from './shared-wait';

/**
 * Replica acknowledgement of the writes sent on one connection: Redis replicates
 * asynchronously, so a write the primary acknowledged but no replica holds yet
 * is gone after a failover. `WAIT numreplicas timeout` blocks the connection
 * until that many replicas hold every write it sent before; the write path
 * calls {@link confirm} after its Redis writes and before it answers 2xx.
 *
 * WAIT covers one connection's writes, and only while it stays on one server:
 * take a {@link mark} before the first write and pass it to `confirm`, which
 * fails if the connection closed in between (its writes may be on a primary
 * that is gone). Concurrent callers share WAITs (group commit): one sent after
 * a caller's writes answered covers them all, and the connection, which WAIT
 * blocks, sends at most one at a time (`SharedWait`).
 *
 * On a Redis Cluster a client's writes go to the node that owns each key's
 * slot: give the keys the writes touch (`keys`, or {@link covering}); WAIT then
 * goes to the owner of each of their slots, and a change of owner or a lost
 * node connection between mark and confirmation voids it (`ClusterReplicaTarget`).
 *
 * With `minReplicas` 0 nothing is sent. What it does not give: strong
 * consistency. A confirmed write is on `minReplicas` replicas' memory (not
 * their disk), and a failover may still promote a replica that lacks it when
 * others had it (Sentinel and Cluster prefer the most up-to-date replica).
 */
export class ReplicaWait {
  private epoch = 0;
  private readonly target: ReplicaTarget;

  constructor(
    private readonly client: RedisConnection,
    readonly minReplicas: number,
    readonly timeoutMs: number,
    /** On a cluster: keys (any name in each slot) the covered writes touch. Ignored on a single server. */
    keys: readonly string[] = [],
  ) {
    const changed = () => void this.epoch++;
    this.target =
      isCluster(client) && minReplicas > 0
        ? new ClusterReplicaTarget(client, keys, minReplicas, timeoutMs, changed)
        : serverTarget(client as Redis, minReplicas, timeoutMs, changed);
  }

  /**
   * The same acknowledgement for writes that touch `keys` (on a cluster, where
   * they decide the nodes WAIT goes to); on a single server this one itself.
   */
  covering(keys: readonly string[]): ReplicaWait {
    return isCluster(this.client) ? new ReplicaWait(this.client, this.minReplicas, this.timeoutMs, keys) : this;
  }

  /** The connection's current epoch: take it before the writes that {@link confirm} is to cover. */
  mark(): number {
    if (this.minReplicas > 0) this.target.check();
    return this.epoch;
  }

  /**
   * Resolves once `minReplicas` replicas hold every write sent on the connection
   * before the call; rejects with {@link ReplicasUnconfirmedError} when fewer
   * confirm within `timeoutMs`, when the WAIT fails, or when the connection was
   * lost (on a cluster: the topology changed) since `mark`.
   */
  async confirm(mark: number): Promise<void> {
    if (this.minReplicas === 0) return;
    this.target.check();
    let acked: number;
    try {
      acked = await this.target.acked();
    } catch (error) {
      throw new ReplicasUnconfirmedError(`waiting for replicas failed: ${(error as Error).message}`, { cause: error });
    }
    this.target.check();
    if (this.epoch !== mark) throw new ReplicasUnconfirmedError(this.target.lostMessage);
    if (acked < this.minReplicas) {
      throw new ReplicasUnconfirmedError(`${acked} of ${this.minReplicas} replica(s) confirmed within ${this.timeoutMs} ms`);
    }
  }
}

/** One server (standalone or through Sentinel): the connection's own WAITs; a close voids what was marked before. */
function serverTarget(client: Redis, minReplicas: number, timeoutMs: number, changed: () => void): ReplicaTarget {
  client.on('close', changed);
  return {
    lostMessage: 'the connection to the primary was lost between the write and its confirmation',
    check: () => undefined,
    acked: () => sharedWaitOf(client, minReplicas, timeoutMs).acked(),
  };
}
