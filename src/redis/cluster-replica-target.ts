import calculateSlot from 'cluster-key-slot';
import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';
import { sharedWaitOf } from './shared-wait';
import { slotOwner } from './slot-owner';

/** Where a `ReplicaWait` sends its WAITs, and what voids a confirmation (it calls `changed`). */
export interface ReplicaTarget {
  /** Why a confirmation across a {@link check} that saw a change is refused. */
  readonly lostMessage: string;
  /** Looks at the topology now; calls the `changed` callback it was made with if it moved since the last look. */
  check(): void;
  /** The fewest replicas that hold every write sent before the call, over the servers covered. */
  acked(): Promise<number>;
}

/** How often each node connection closed: one listener per connection, whoever watches it. */
const closes = new WeakMap<Redis, { count: number }>();

function closeCount(node: Redis): number {
  let counter = closes.get(node);
  if (!counter) {
    const created = { count: 0 };
    closes.set(node, (counter = created));
    node.on('close', () => created.count++);
  }
  return counter.count;
}

/** A slot's owner at one look: its connection and how often that connection had closed. */
type Owner = { readonly node: Redis; readonly closes: number } | undefined;

/**
 * The WAITs of writes sent through an ioredis `Cluster` to the slots of `keys`.
 * WAIT covers one connection to one server, and the cluster client sends each
 * command on the connection of the node that owns its key's slot now: so one
 * WAIT goes to each slot's owner ({@link slotOwner}), in parallel (the same
 * node once for several slots, shared with every other user of that node
 * connection), and the fewest acknowledgements count.
 *
 * A write sent to one owner is not covered by a WAIT on another: a
 * confirmation is void when, since its mark, a slot's owner changed (a
 * failover, a slot migration: compared at the mark, on every slot-table
 * refresh, and at the confirmation), an owner's connection closed, or the
 * cluster added or dropped a node connection (`+node` / `-node`).
 */
export class ClusterReplicaTarget implements ReplicaTarget {
  readonly lostMessage = 'the cluster topology changed between the write and its confirmation (a failover, a moved slot or a lost node connection)';
  private readonly slots: readonly number[];
  private owners: readonly Owner[];

  constructor(
    private readonly cluster: Cluster,
    keys: readonly string[],
    private readonly minReplicas: number,
    private readonly timeoutMs: number,
    private readonly changed: () => void,
  ) {
    this.slots = [...new Set(keys.map((key) => calculateSlot(key)))];
    this.owners = this.look();
    // Covering no key (a root that callers narrow with `covering`): nothing to watch, every confirmation refused.
    if (this.slots.length === 0) return;
    cluster.on('+node', changed);
    cluster.on('-node', changed);
    // A refresh may move a slot and move it back before the confirmation looks: seen here, it still voids.
    cluster.on('refresh', () => this.check());
  }

  check(): void {
    const now = this.look();
    if (now.every((owner, i) => owner?.node === this.owners[i]?.node && owner?.closes === this.owners[i]?.closes)) return;
    this.owners = now;
    this.changed();
  }

  async acked(): Promise<number> {
    if (this.slots.length === 0) throw new Error('this ReplicaWait covers no key: on a cluster, make it with the keys its writes touch (covering)');
    const missing = this.slots.filter((_, i) => this.owners[i] === undefined);
    if (missing.length > 0) throw new Error(`no connection to the owner of slot ${missing.join(', ')}`);
    const nodes = [...new Set(this.owners.map((owner) => owner!.node))];
    const acks = await Promise.all(nodes.map((node) => sharedWaitOf(node, this.minReplicas, this.timeoutMs).acked()));
    return Math.min(...acks);
  }

  private look(): Owner[] {
    return this.slots.map((slot) => {
      const node = slotOwner(this.cluster, slot);
      return node && { node, closes: closeCount(node) };
    });
  }
}
