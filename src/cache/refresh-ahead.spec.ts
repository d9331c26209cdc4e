import type { AppConfig } from '../config';
import type { Schedules } from '../schedules';
import { createEntry } from './cache-entry.codec';
import { CacheReloaders } from './cache-reloaders';
import { cacheConfig } from './cache.config';
import { moduleDefaults } from './cache.options';
import type { CacheEntry } from './cache.types';
import type { MultiTierCache } from './multi-tier.cache';
import { RefreshAhead } from './refresh-ahead';

const NOW = 1_000_000;
const config = cacheConfig.map(cacheConfig.env.parse({ CACHE_REFRESH_AHEAD_WINDOW_MS: '5000', CACHE_REFRESH_AHEAD_MIN_HITS: '50' }));

function entry(freshInMs: number, negative = false): CacheEntry {
  return createEntry(Buffer.from('{}'), NOW + freshInMs, NOW + freshInMs + 30_000, negative, []);
}

describe('RefreshAhead', () => {
  function setup(hot: Array<{ key: string; estimatedHits: number }>, l2: Record<string, CacheEntry | undefined>, l1: Record<string, CacheEntry> = {}) {
    const refreshed: Array<{ key: string; freshUntil: number }> = [];
    const tiers = {
      now: () => NOW,
      hotKeys: { top: () => hot },
      l2Tier: { readMany: (keys: readonly string[]) => Promise.resolve(keys.map((key) => l2[key])) },
      l1: { get: (key: string) => l1[key] },
      refreshAhead: (key: string, _loader: unknown, _options: unknown, freshUntil: number) => {
        refreshed.push({ key, freshUntil });
        return Promise.resolve({ entry: entry(60_000), tier: 'MISS' });
      },
    } as unknown as MultiTierCache;
    const reloaders = new CacheReloaders();
    reloaders.add({ prefix: 'product:', loaderOf: () => () => Promise.resolve({}), options: moduleDefaults(config) });
    const added: string[] = [];
    const schedules = { add: (d: { name: string }) => added.push(d.name) } as unknown as Schedules;
    const refresh = (role: AppConfig['role']) => new RefreshAhead(tiers, reloaders, config, { role } as AppConfig, schedules);
    return { refreshed, added, refresh };
  }

  it('reloads the hot keys with a reloader whose entry expires within the window, and only those', async () => {
    const { refreshed, refresh } = setup(
      [
        { key: 'product:1', estimatedHits: 400 }, // due (expires in 2 s)
        { key: 'product:2', estimatedHits: 300 }, // fresh for 20 s more: not yet
        { key: 'product:3', estimatedHits: 200 }, // a cached "not found": left to the next miss
        { key: 'product:4', estimatedHits: 100 }, // in no tier
        { key: 'other:5', estimatedHits: 100 }, // no reloader
        { key: 'product:6', estimatedHits: 10 }, // too cold
        { key: 'product:7', estimatedHits: 90 }, // L2 did not answer; this pod's L1 copy says it is due
      ],
      { 'product:1': entry(2_000), 'product:2': entry(20_000), 'product:3': entry(1_000, true), 'product:6': entry(1_000), 'other:5': entry(1_000) },
      { 'product:7': entry(4_000) },
    );
    expect(await refresh('api').run()).toBe(2);
    expect(refreshed).toEqual([
      { key: 'product:1', freshUntil: NOW + 2_000 },
      { key: 'product:7', freshUntil: NOW + 4_000 },
    ]);
  });

  it('is a fleet-once schedule on api and all processes, none on workers', () => {
    for (const role of ['api', 'all', 'worker'] as const) {
      const { added, refresh } = setup([], {});
      refresh(role).onModuleInit();
      expect(added).toEqual(role === 'worker' ? [] : ['cache-refresh-ahead']);
    }
  });

  it('one key has one reloader: overlapping prefixes are refused', () => {
    const reloaders = new CacheReloaders();
    reloaders.add({ prefix: 'product:', loaderOf: () => () => Promise.resolve(1), options: moduleDefaults(config) });
    expect(() => reloaders.add({ prefix: 'product:1', loaderOf: () => () => Promise.resolve(1), options: moduleDefaults(config) })).toThrow(/overlaps/);
    expect(reloaders.find('product-related:1')).toBeUndefined();
  });
});
