import { setTimeout as sleep } from 'node:timers/promises';
import { spawnApp, waitUntilStarted, type AppProcess } from '../support/app-process';
import { parseExposition, sampleValue } from '../support/prometheus';
import { SharedIsolation, stopProcess } from '../support/shared-isolation';

jest.setTimeout(120_000);

const TTL_MS = 2_000;
const WINDOW_MS = 1_000;
const HOT_IDS = [1, 2, 3];

/**
 * Refresh-ahead of hot keys on three real processes sharing Redis and PostgreSQL (as pods do),
 * with a short TTL: under a steady read load of the hot ids, after warm-up no response of
 * theirs is a MISS or STALE (the x-cache tally), and the loads of the fleet are about one per key
 * per refresh period, not one per process (the schedule is fleet-once, the loads go through the
 * cross-pod lock).
 */
describe('refresh-ahead of hot keys (e2e)', () => {
  const shared = new SharedIsolation();
  const apps: AppProcess[] = [];
  const env = shared.env({
    CACHE_TTL_MS: String(TTL_MS),
    CACHE_L1_TTL_MS: String(TTL_MS),
    CACHE_HOT_L1_TTL_MS: String(TTL_MS),
    CACHE_JITTER_PERCENT: '0',
    CACHE_REFRESH_AHEAD_EVERY_MS: '250',
    CACHE_REFRESH_AHEAD_WINDOW_MS: String(WINDOW_MS),
    // One sampled hit (the tracker samples one lookup in 8) is enough here; the load below gives each key dozens.
    CACHE_REFRESH_AHEAD_MIN_HITS: '8',
  });

  async function start(): Promise<AppProcess> {
    const app = await spawnApp(env);
    apps.push(app);
    await waitUntilStarted(app);
    return app;
  }

  /** Fleet-wide sums of the cache's single-key loads and refresh-aheads. */
  async function counters(): Promise<{ loads: number; refreshes: number }> {
    const expositions = await Promise.all(apps.map(async (app) => parseExposition(await (await fetch(`${app.url}/metrics`)).text())));
    return {
      loads: expositions.reduce((sum, m) => sum + (sampleValue(m.get('bulwark_cache_loads_total'), { kind: 'single' }) ?? 0), 0),
      refreshes: expositions.reduce((sum, m) => sum + (sampleValue(m.get('bulwark_cache_refresh_ahead_total')) ?? 0), 0),
    };
  }

  beforeAll(async () => {
    await start();
    await Promise.all([start(), start()]);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => stopProcess(app)));
    await shared.cleanup();
  });

  it('the hot ids never MISS nor go STALE after warm-up, with about one load per key per period on the fleet', async () => {
    let tally: Record<string, number> = {};
    let running = true;
    // A steady load: each process gets each hot id about 8 times a second.
    const load = apps.map(async (app, p) => {
      for (let i = p; running; i++) {
        const res = await fetch(`${app.url}/products/${HOT_IDS[i % HOT_IDS.length]}`);
        await res.arrayBuffer();
        const tier = res.status === 200 ? (res.headers.get('x-cache') ?? 'none') : `status ${res.status}`;
        tally[tier] = (tally[tier] ?? 0) + 1;
        await sleep(40);
      }
    });

    // Warm-up: the first loads, then the hot-key window fills (its buckets are 2 s).
    await sleep(5_000);
    tally = {};
    const before = await counters();
    const measureMs = 8_000;
    await sleep(measureMs);
    const after = await counters();
    const measured = { ...tally };
    running = false;
    await Promise.all(load);

    expect(measured.MISS ?? 0).toBe(0);
    expect(measured.STALE ?? 0).toBe(0);
    expect(Object.keys(measured).sort()).toEqual(expect.arrayContaining(['L1']));
    expect(Object.keys(measured).every((tier) => tier === 'L1' || tier === 'L2')).toBe(true);
    expect((measured.L1 ?? 0) + (measured.L2 ?? 0)).toBeGreaterThan(300);

    // A key is reloaded once its entry has less than WINDOW_MS left: every TTL - WINDOW (+ a tick of 250 ms) at most.
    const loads = after.loads - before.loads;
    const perKeyPeriods = measureMs / (TTL_MS - WINDOW_MS);
    expect(after.refreshes - before.refreshes).toBeGreaterThanOrEqual(HOT_IDS.length * Math.floor(measureMs / TTL_MS));
    // One per key per period (here at most 8 + 1 per key); one per process would be three times as many.
    expect(loads).toBeLessThanOrEqual(HOT_IDS.length * (perKeyPeriods + 1));
    expect(loads).toBeGreaterThanOrEqual(HOT_IDS.length * Math.floor(measureMs / TTL_MS));
  });
});
