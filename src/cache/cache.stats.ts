/**
 * Counters of the cache, per tier and per protection, for the metrics module
 * and for tests. Plain numbers: incrementing costs nothing on the hot path.
 */
export class CacheStats {
  l1Hits = 0;
  l2Hits = 0;
  misses = 0;
  /** Loader calls (single keys) and batch loader calls. */
  loads = 0;
  batchLoads = 0;
  /** Keys asked of batch loaders, over all batch loads. */
  batchLoadedKeys = 0;
  staleServed = 0;
  /** Stale values served because the loader failed or was too slow (fail-safe). */
  failSafeServed = 0;
  negativeHits = 0;
  loaderErrors = 0;
  /** Loads abandoned at the hard timeout (part of loaderErrors). */
  loaderTimeouts = 0;
  /** Loads whose value filled no tier: a write of the key (on this pod, or one the bus reported) came after the load began. */
  overtakenLoads = 0;
  /** Loaded values L2 refused to store: a write on some pod moved the key's generation on while the load ran. */
  overtakenFills = 0;
  backgroundRefreshes = 0;
  /** Hot keys reloaded ahead of their expiry by the refresh-ahead schedule (each a load, unless another pod's newer entry was found). */
  refreshAheads = 0;
  /** Loads skipped because another pod held the lock and filled L2 meanwhile. */
  lockWaitHits = 0;
  busPublished = 0;
  busReceived = 0;
  /** Writes answered before every pod acknowledged the invalidation (CACHE_BUS_ACK_TIMEOUT_MS passed). */
  busAckTimeouts = 0;
  /** L1 clears after the bus reconnected (invalidations may have been missed). */
  l1ClearsAfterBusGap = 0;
  /** L2 deletes that failed and were replayed after Redis came back. */
  pendingInvalidationsReplayed = 0;

  snapshot(): Record<string, number> {
    return { ...this } as unknown as Record<string, number>;
  }
}
