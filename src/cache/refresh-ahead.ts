import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { appConfig, type AppConfig, InjectConfig } from '../config';
import { Schedules } from '../schedules';
import { cacheConfig, type CacheConfig } from './cache.config';
import { CacheReloaders } from './cache-reloaders';
import { MULTI_TIER_CACHE } from './cache.tokens';
import type { MultiTierCache } from './multi-tier.cache';

/** Name of the schedule in `/admin/schedules` and metrics. */
export const REFRESH_AHEAD_SCHEDULE = 'cache-refresh-ahead';

/** Reloads started at once by one pass. */
const CONCURRENCY = 8;

/**
 * Refresh-ahead of hot keys: a fleet-once schedule (`cache-refresh-ahead`,
 * every `CACHE_REFRESH_AHEAD_EVERY_MS`, on `api`/`all` processes, where the
 * traffic and so the hot keys are) that reloads the hottest keys whose entry
 * expires within `CACHE_REFRESH_AHEAD_WINDOW_MS`, through the read path's
 * own single-flight, cross-pod lock and read-your-writes checks
 * (`MultiTierCache.refreshAhead`). The pod that runs it fills L2 and its L1;
 * the others find the new entry in L2 when their L1 copy ends. So under steady
 * traffic a hot key never misses nor goes stale, and PostgreSQL sees one load
 * per key per TTL, not one per pod.
 *
 * Which keys: this pod's hot-key tracker (it sees a share of the traffic, as
 * every pod behind a balancer does), at least `CACHE_REFRESH_AHEAD_MIN_HITS`
 * estimated hits, with a reloader ({@link CacheReloaders}); negative entries
 * and keys no tier holds are left to the next miss. Costs nothing per
 * request: the tracker already counts lookups.
 */
@Injectable()
export class RefreshAhead implements OnModuleInit {
  private readonly logger = new Logger('RefreshAhead');

  constructor(
    @Inject(MULTI_TIER_CACHE) private readonly tiers: MultiTierCache,
    private readonly reloaders: CacheReloaders,
    @InjectConfig(cacheConfig) private readonly config: CacheConfig,
    @InjectConfig(appConfig) private readonly app: AppConfig,
    private readonly schedules: Schedules,
  ) {}

  onModuleInit(): void {
    const { enabled, everyMs } = this.config.refreshAhead;
    if (!this.config.enabled || !enabled || this.app.role === 'worker') return;
    this.schedules.add({ name: REFRESH_AHEAD_SCHEDULE, scope: 'fleet-once', everyMs, run: (signal) => this.run(signal) });
  }

  /** One pass: the hot keys about to expire, reloaded; resolves with how many were reloaded. */
  async run(signal?: AbortSignal): Promise<number> {
    if (this.reloaders.size === 0) return 0;
    const { maxKeys, minHits, windowMs } = this.config.refreshAhead;
    const keys = this.tiers.hotKeys
      .top(maxKeys)
      .filter((hot) => hot.estimatedHits >= minHits && this.reloaders.find(hot.key))
      .map((hot) => hot.key);
    if (keys.length === 0) return 0;
    const inL2 = await this.tiers.l2Tier.readMany(keys);
    const now = this.tiers.now();
    const due = keys.flatMap((key, i) => {
      // L2 is what every pod reads; this pod's L1 copy stands in while L2 does not answer.
      const entry = inL2[i] ?? this.tiers.l1.get(key);
      return entry && !entry.negative && entry.freshUntil - now <= windowMs ? [{ key, freshUntil: entry.freshUntil }] : [];
    });
    for (let i = 0; i < due.length && !signal?.aborted; i += CONCURRENCY) {
      const results = await Promise.allSettled(
        due.slice(i, i + CONCURRENCY).map(({ key, freshUntil }) => {
          const reloader = this.reloaders.find(key)!;
          return this.tiers.refreshAhead(key, reloader.loaderOf(key), reloader.options, freshUntil);
        }),
      );
      const failed = results.filter((result) => result.status === 'rejected').length;
      if (failed > 0) this.logger.warn(`${failed} refresh-ahead loads failed (the keys are served stale, then loaded on a miss, as before)`);
    }
    return due.length;
  }
}
