import DataLoader from 'dataloader';
import type { Keyed, L2Tier } from './l2-tier';

/** A write's change to L2: keys stored (a set) or deleted. */
export type L2Change = { readonly kind: 'set'; readonly entries: readonly Keyed[] } | { readonly kind: 'delete'; readonly keys: readonly string[] };

/** Most changes one group carries. */
const MAX_CHANGES = 500;

/**
 * Group commit of the cache's writes: the sets and deletes made in one event-loop turn (by every
 * write request of that turn) go to L2 together and in order, consecutive changes of one kind as
 * one round trip, then out on the bus as one message for all their keys (two when some change
 * failed: its keys travel with `l2Stale`, so that the other pods skip L2 for them too). Each
 * caller resolves once its change is in L2 (true) or failed (false), and published.
 */
export class L2WriteGroups {
  private readonly groups: DataLoader<L2Change, boolean>;

  constructor(
    private readonly l2: Pick<L2Tier, 'write' | 'delete'>,
    /** Tells the other instances to drop `keys` from L1 (the bus); resolves once they acknowledged, or it gave up. */
    private readonly publish: (keys: readonly string[], l2Stale: boolean) => Promise<void>,
  ) {
    // setImmediate: after the poll phase, so every request read in this turn has made its change.
    this.groups = new DataLoader((changes) => this.commit(changes), { cache: false, maxBatchSize: MAX_CHANGES, batchScheduleFn: (run) => setImmediate(run) });
  }

  /** Applies `change` with the others of this turn; true when L2 took it. */
  apply(change: L2Change): Promise<boolean> {
    return this.groups.load(change);
  }

  private async commit(changes: readonly L2Change[]): Promise<boolean[]> {
    const stored: boolean[] = [];
    // Runs of one kind: a set and a later delete of the same key (or the reverse) keep their order.
    for (let start = 0; start < changes.length;) {
      let end = start + 1;
      while (end < changes.length && changes[end].kind === changes[start].kind) end++;
      const run = changes.slice(start, end);
      const ok =
        run[0].kind === 'set' ? await this.l2.write(run.flatMap((c) => (c.kind === 'set' ? c.entries : []))) : await this.l2.delete(run.flatMap(keysOf));
      for (let i = start; i < end; i++) stored.push(ok);
      start = end;
    }
    const keys = (ok: boolean) => changes.flatMap((change, i) => (stored[i] === ok ? keysOf(change) : []));
    const [fresh, stale] = [keys(true), keys(false)];
    await Promise.all([fresh.length > 0 && this.publish(fresh, false), stale.length > 0 && this.publish(stale, true)].filter((p) => p !== false));
    return stored;
  }
}

function keysOf(change: L2Change): readonly string[] {
  return change.kind === 'set' ? change.entries.map((entry) => entry.key) : change.keys;
}
