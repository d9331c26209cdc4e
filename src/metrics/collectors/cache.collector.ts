import { Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { CacheService } from '../../cache';
import { registerExposed, type ExposedMetric, type Sample } from '../exposed.metric';
import type { MetricsCollector } from '../metrics.types';

/** The L2 breaker's states as label values (`half-open` → `half_open`). */
const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/**
 * The cache's families, read from `CacheService.stats()` and `hotKeys()` on
 * scrape (`bulwark_cache_*`): hits by tier, misses, loads, stale and
 * fail-safe answers, negative hits, loader errors, bus messages, L1
 * occupancy, the L2 breaker state and the number of hot keys.
 */
@Injectable()
export class CacheMetricsCollector implements MetricsCollector {
  constructor(private readonly cache: CacheService) {}

  register(registry: Registry): void {
    const family = (name: string, help: string, type: ExposedMetric['type'], samples: (stats: Record<string, number | string>) => Sample[]): void =>
      registerExposed(registry, { name, help, type, samples: () => samples(this.cache.stats()) });
    const one = (key: string) => (stats: Record<string, number | string>) => [{ labels: {}, value: Number(stats[key]) }];
    family('bulwark_cache_hits_total', 'Cache hits, by tier (l1 = this process, l2 = Redis); negative hits included.', 'counter', (s) => [
      { labels: { tier: 'l1' }, value: Number(s.l1Hits) },
      { labels: { tier: 'l2' }, value: Number(s.l2Hits) },
    ]);
    family('bulwark_cache_misses_total', 'Keys found in neither tier (each goes to a loader or waits for one).', 'counter', one('misses'));
    family('bulwark_cache_loads_total', 'Loader calls, by kind (single key, or one batch of keys).', 'counter', (s) => [
      { labels: { kind: 'single' }, value: Number(s.loads) },
      { labels: { kind: 'batch' }, value: Number(s.batchLoads) },
    ]);
    family('bulwark_cache_batch_loaded_keys_total', 'Keys asked of batch loaders.', 'counter', one('batchLoadedKeys'));
    family('bulwark_cache_stale_served_total', 'Stale values served (while one refresh runs, or fail-safe).', 'counter', one('staleServed'));
    family(
      'bulwark_cache_fail_safe_served_total',
      'Stale values served because the loader failed or was too slow (part of stale_served).',
      'counter',
      one('failSafeServed'),
    );
    family('bulwark_cache_negative_hits_total', 'Hits on a cached "not found".', 'counter', one('negativeHits'));
    family('bulwark_cache_loader_errors_total', 'Loader calls that failed or timed out.', 'counter', one('loaderErrors'));
    family(
      'bulwark_cache_loader_timeouts_total',
      'Loads abandoned at the hard timeout (part of loader_errors; a 503 E_LOAD_TIMEOUT when nothing stale was served).',
      'counter',
      one('loaderTimeouts'),
    );
    family(
      'bulwark_cache_overtaken_total',
      'Loaded values kept out of a tier because a write of the key came after the load began (l1: this pod saw it; l2: Redis refused the fill).',
      'counter',
      (s) => [
        { labels: { tier: 'l1' }, value: Number(s.overtakenLoads) },
        { labels: { tier: 'l2' }, value: Number(s.overtakenFills) },
      ],
    );
    family(
      'bulwark_cache_background_refreshes_total',
      'Refreshes started in the background while a stale value was served.',
      'counter',
      one('backgroundRefreshes'),
    );
    family(
      'bulwark_cache_refresh_ahead_total',
      'Hot keys reloaded before their expiry by the cache-refresh-ahead schedule (on the pod that ran it).',
      'counter',
      one('refreshAheads'),
    );
    family('bulwark_cache_lock_wait_hits_total', 'Loads skipped because another pod held the lock and filled L2 meanwhile.', 'counter', one('lockWaitHits'));
    family('bulwark_cache_bus_messages_total', 'Invalidation bus messages, by direction.', 'counter', (s) => [
      { labels: { direction: 'published' }, value: Number(s.busPublished) },
      { labels: { direction: 'received' }, value: Number(s.busReceived) },
    ]);
    family(
      'bulwark_cache_bus_ack_timeouts_total',
      'Writes answered before every other pod acknowledged dropping their keys from L1 (CACHE_BUS_ACK_TIMEOUT_MS passed).',
      'counter',
      one('busAckTimeouts'),
    );
    family(
      'bulwark_cache_l1_clears_after_bus_gap_total',
      'L1 cleared because the bus subscription dropped (invalidations may have been missed).',
      'counter',
      one('l1ClearsAfterBusGap'),
    );
    family(
      'bulwark_cache_pending_invalidations_replayed_total',
      'L2 deletes that failed during an outage and were replayed after it.',
      'counter',
      one('pendingInvalidationsReplayed'),
    );
    family('bulwark_cache_l1_entries', 'Entries in L1.', 'gauge', one('l1Entries'));
    family('bulwark_cache_l1_bytes', 'Bytes of values in L1.', 'gauge', one('l1Bytes'));
    family('bulwark_cache_l2_breaker_state', 'L2 (Redis) breaker: 1 on the current state, 0 on the others; open = L2 skipped.', 'gauge', (s) =>
      BREAKER_STATES.map((state) => ({ labels: { state: state.replace('-', '_') }, value: s.l2Breaker === state ? 1 : 0 })),
    );
    registerExposed(registry, {
      name: 'bulwark_cache_hot_keys',
      help: 'Keys CacheService.hotKeys() lists: the most requested keys of the last window (at most the hot-set size).',
      type: 'gauge',
      samples: () => [{ labels: {}, value: this.cache.hotKeys().length }],
    });
  }
}
