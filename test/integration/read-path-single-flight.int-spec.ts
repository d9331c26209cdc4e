import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheLock } from '../../src/cache/cache-lock';
import type { ResolvedCacheOptions } from '../../src/cache/cache.options';
import type { CacheResult } from '../../src/cache/cache.types';
import { HotKeyTracker } from '../../src/cache/hot-keys.tracker';
import { LruL1Store } from '../../src/cache/lru-l1.store';
import { MultiTierCache } from '../../src/cache/multi-tier.cache';
import { RedisL2Store } from '../../src/cache/redis-l2.store';
import { deleteKeys } from '../support/redis-keys';
import { redisConfigFor, standaloneClient } from '../support/redis-config';
import { TEST_REDIS_URL } from '../support/services';
import { isolationId, waitFor } from '../support/test-app';

/**
 * The read path's two nested single-flights (`MultiTierCache`), on a real
 * RedisL2Store and CacheLock: `flights` (one `fill` per key: one L2 read for
 * every concurrent reader) and, inside it, `refreshes` (one `load` per key:
 * readers that arrive while a background refresh or a slow load runs join it).
 *
 * Loader calls alone cannot show either: the Redis lock already holds the
 * loader to one call per key across pods, so a missing single-flight costs
 * Redis round trips (L2 reads, lock attempts, lock-wait polling), not loads.
 * The tests count what the cache asks of L2 (the RedisL2Store's methods) and
 * every command and socket write of the cache's own Redis connection.
 */
jest.setTimeout(30_000);

const prefix = `bulwark:test:${isolationId()}:`;
let client: Redis;
/** Outside the counted connection: for the test's own looks at Redis. */
let observer: Redis;

beforeAll(async () => {
  Logger.overrideLogger(false);
  client = standaloneClient(redisConfigFor(TEST_REDIS_URL, { REDIS_KEY_PREFIX: prefix }), 'cache', 'single-flight-test');
  observer = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  await waitFor(() => client.status === 'ready', 10_000, 'the cache connection');
});
afterAll(async () => {
  await deleteKeys(TEST_REDIS_URL, prefix);
  await client.quit();
  await observer.quit();
});
afterEach(() => jest.restoreAllMocks());

let keyCounter = 0;
/** A key no other test has touched. */
const coldKey = () => `product:${++keyCounter}`;

function build(loaderSoftTimeoutMs = 2_000): { cache: MultiTierCache; l2: RedisL2Store } {
  // Generous Redis timeouts and lock wait: on a busy machine nothing here may fall back to "load by yourself".
  const l2 = new RedisL2Store(client, { keyPrefix: prefix, timeoutMs: 1_000 });
  const lock = new CacheLock(client, prefix, 10_000, 1_000);
  const l1 = new LruL1Store({ maxEntries: 1_000, maxBytes: 10_000_000 });
  const cache = new MultiTierCache(l1, l2, new HotKeyTracker(), lock, undefined, undefined, {
    jitter: 0,
    hotL1TtlMs: 0,
    loaderSoftTimeoutMs,
    loaderHardTimeoutMs: 10_000,
    lockWaitMs: 5_000,
  });
  return { cache, l2 };
}

/** Counts, from now on, the L2Store calls of the cache and the commands and socket writes (round trips) of its connection. */
function countTraffic(l2: RedisL2Store): { l2Calls: () => Record<string, number>; commands: () => string[]; roundTrips: () => number } {
  const methods = ['get', 'getMany', 'set', 'setMany', 'delete', 'generations', 'fill', 'clear'] as const;
  const spies = methods.map((method) => [method, jest.spyOn(l2, method)] as const);
  const send = jest.spyOn(client, 'sendCommand');
  const write = jest.spyOn(client.stream, 'write');
  return {
    l2Calls: () => Object.fromEntries(spies.map(([method, spy]) => [method, spy.mock.calls.length]).filter(([, count]) => count !== 0)),
    commands: () => send.mock.calls.map(([command]) => command.name),
    roundTrips: () => write.mock.calls.length,
  };
}

/** A loader that takes `ms` and counts its calls. */
function slowLoader(ms: number, value: unknown): jest.Mock<Promise<unknown>, []> {
  return jest.fn(async () => {
    await sleep(ms);
    return value;
  });
}

/** A loader that answers `value` once the test opens the gate, and counts its calls: readers arrive in waves while it runs. */
function gatedLoader(value: unknown): { loader: jest.Mock<Promise<unknown>, []>; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const loader = jest.fn(async () => {
    await gate;
    return value;
  });
  return { loader, open };
}

/** The load of `key` has finished everything it does in Redis: its lock is released (the last step, not awaited by readers). */
async function loadFinished(key: string): Promise<void> {
  await waitFor(async () => (await observer.exists(`${prefix}cache-lock:${key}`)) === 0, 10_000, `the load of ${key} to release its lock`);
}

const readers = (count: number, read: () => Promise<CacheResult>) => Promise.all(Array.from({ length: count }, read));
const tiers = (results: CacheResult[]) => [...new Set(results.map((result) => result.tier))];

/** Loads the fill script on the connection first, so that counts do not depend on whether Redis already had it. */
async function warmScripts(cache: MultiTierCache, options: ResolvedCacheOptions): Promise<void> {
  const key = coldKey();
  await cache.get(key, async () => ({ warm: true }), options);
  await loadFinished(key);
}

describe('read path single-flights on a real RedisL2Store', () => {
  const fresh: ResolvedCacheOptions = { ttlMs: 60_000, l1TtlMs: 60_000, staleMs: 30_000, maxStaleMs: 60_000, negativeTtlMs: 1_000, tags: [] };

  it('`flights`: 200 concurrent reads of a cold key cost one fill: 2 L2 reads, 1 generation read, 1 fill, 6 round trips in all', async () => {
    const { cache, l2 } = build();
    await warmScripts(cache, fresh);
    const key = coldKey();
    const loader = slowLoader(50, { v: 1 });
    const traffic = countTraffic(l2);

    const results = await readers(200, () => cache.get(key, loader, fresh));
    await loadFinished(key);

    expect(loader).toHaveBeenCalledTimes(1);
    expect(tiers(results)).toEqual(['MISS']);
    // The L2 read before the load, and the one after taking the lock (another pod may have filled it meanwhile).
    expect(traffic.l2Calls()).toEqual({ get: 2, generations: 1, fill: 1 });
    expect(traffic.commands()).toEqual(['get', 'set', 'mget', 'get', 'evalsha', 'eval']);
    expect(traffic.roundTrips()).toBe(6);
  });

  it('`refreshes`, stale-while-revalidate: readers arriving while the background refresh runs join it (no second lock, no lock-wait polling)', async () => {
    const options: ResolvedCacheOptions = { ...fresh, ttlMs: 300, l1TtlMs: 300 };
    const { cache, l2 } = build();
    await warmScripts(cache, options);
    const key = coldKey();
    await cache.get(key, async () => ({ v: 1 }), options);
    await loadFinished(key);
    await sleep(400); // past ttlMs: stale in L1 and L2, within staleMs
    const { loader: refresh, open } = gatedLoader({ v: 2 });
    const traffic = countTraffic(l2);

    const first = await readers(100, () => cache.get(key, refresh, options));
    // The first wave's flight is over; the refresh it started is not.
    const second = await readers(100, () => cache.get(key, refresh, options));
    open();
    await loadFinished(key);

    expect(tiers([...first, ...second])).toEqual(['STALE']);
    expect(refresh).toHaveBeenCalledTimes(1);
    // One L2 read per wave (each wave one flight), one for the refresh after taking the lock.
    expect(traffic.l2Calls()).toEqual({ get: 3, generations: 1, fill: 1 });
    expect(traffic.commands().filter((name) => name === 'set')).toHaveLength(1);
    expect(traffic.roundTrips()).toBe(7);
    expect((await cache.get(key, refresh, options)).tier).toBe('L1');
  });

  it('`refreshes`, fail-safe: readers served stale past the soft timeout of a slow load join that load instead of starting another', async () => {
    // staleMs 0: an expired entry is not revalidated in the background; the load runs in the foreground and
    // the readers get the stale entry once the soft timeout (50 ms) passes.
    const options: ResolvedCacheOptions = { ...fresh, ttlMs: 300, l1TtlMs: 300, staleMs: 0 };
    const { cache, l2 } = build(50);
    await warmScripts(cache, options);
    const key = coldKey();
    await cache.get(key, async () => ({ v: 1 }), options);
    await loadFinished(key);
    await sleep(400);
    const { loader: slow, open } = gatedLoader({ v: 2 });
    const traffic = countTraffic(l2);

    const first = await readers(100, () => cache.get(key, slow, options));
    const second = await readers(100, () => cache.get(key, slow, options));
    open();
    await loadFinished(key);

    expect(tiers([...first, ...second])).toEqual(['STALE']);
    expect(cache.stats.failSafeServed).toBe(2); // once per flight: each wave is one
    expect(slow).toHaveBeenCalledTimes(1);
    expect(traffic.l2Calls()).toEqual({ get: 3, generations: 1, fill: 1 });
    expect(traffic.commands().filter((name) => name === 'set')).toHaveLength(1);
    expect(traffic.roundTrips()).toBe(7);
  });
});
