import type { L2Store } from './cache.types';

/** Keys remembered for replay after an L2 outage; past this, L2 is cleared on recovery instead. */
export const MAX_PENDING_INVALIDATIONS = 100_000;

/**
 * The L2 deletes and writes that failed while Redis was unreachable. Until
 * they are replayed, L2 may hold an outdated value for those keys, so reads
 * skip L2 for them; when L2 answers again the keys are unlinked. Past
 * {@link MAX_PENDING_INVALIDATIONS} keys it stops counting: all of L2 is
 * skipped and the cache namespace is cleared on recovery.
 */
export class PendingInvalidations {
  private readonly keys = new Set<string>();
  private overflow = false;

  /** Remembers `keys`; true when this made the ledger overflow. */
  add(keys: readonly string[]): boolean {
    if (this.overflow) return false;
    for (const key of keys) this.keys.add(key);
    if (this.keys.size <= MAX_PENDING_INVALIDATIONS) return false;
    this.overflow = true;
    this.keys.clear();
    return true;
  }

  /** Nothing to replay. */
  get isEmpty(): boolean {
    return !this.overflow && this.keys.size === 0;
  }

  /** True while L2 may hold an outdated value for `key`. */
  covers(key: string): boolean {
    return this.overflow || (this.keys.size > 0 && this.keys.has(key));
  }

  /** Unlinks the pending keys (or clears the namespace after an overflow). Returns how many keys; throws while L2 is still down. */
  async replay(l2: L2Store): Promise<number> {
    if (this.overflow) {
      await l2.clear();
      this.overflow = false;
      return 0;
    }
    if (this.keys.size === 0) return 0;
    const keys = [...this.keys];
    await l2.delete(keys);
    for (const key of keys) this.keys.delete(key);
    return keys.length;
  }
}
