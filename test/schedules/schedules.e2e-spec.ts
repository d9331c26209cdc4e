import Redis from 'ioredis';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitUntilStarted, type AppProcess } from '../support/app-process';
import { spawnAppWithModules } from '../support/feature-app-process';
import { PROBE_EVERY_MS, PROBE_LEASE_TTL_MS } from '../support/schedule-probe.module';
import { TEST_REDIS_URL } from '../support/services';
import { SharedIsolation, stopProcess } from '../support/shared-isolation';
import { waitFor } from '../support/test-app';

jest.setTimeout(120_000);

const TOKEN = 'schedules-test-token-abcdef0123456789';
const PROBE: ReadonlyArray<readonly [string, string]> = [[join(__dirname, '..', 'support', 'schedule-probe.module.ts'), 'ScheduleProbeModule']];

interface Run {
  readonly pid: number;
  readonly at: number;
}

/**
 * Schedules on three real processes sharing one Redis key prefix (as pods do), with the test-only
 * probe schedules (schedule-probe.module.ts, every 500 ms): the fleet-once one runs once per period
 * on the whole fleet, and another process takes over within its lease TTL when its holder is
 * SIGKILLed mid-run; the every-pod one runs on each; `/admin/schedules` lists them and pauses one
 * on every process.
 */
describe('schedules on three processes (e2e)', () => {
  const shared = new SharedIsolation();
  const apps: AppProcess[] = [];
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  const env = shared.env({ ADMIN_TOKEN: TOKEN, CACHE_REFRESH_AHEAD_ENABLED: 'false' });

  async function start(): Promise<AppProcess> {
    const app = await spawnAppWithModules(PROBE, env);
    apps.push(app);
    await waitUntilStarted(app);
    return app;
  }

  async function runs(name: string): Promise<Run[]> {
    const raw = await redis.lrange(`${shared.keyPrefix}probe:${name}`, 0, -1);
    return raw.map((entry) => {
      const [pid, at] = entry.split(':').map(Number);
      return { pid, at };
    });
  }

  function admin(app: AppProcess, path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${app.url}/admin/schedules${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });
  }

  beforeAll(async () => {
    await redis.connect();
    // The first one migrates and seeds the shared schema.
    await start();
    await Promise.all([start(), start()]);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => stopProcess(app)));
    redis.disconnect();
    await shared.cleanup();
  });

  it('the fleet-once schedule runs once per period on the fleet; the every-pod one on each process', async () => {
    await sleep(2 * PROBE_EVERY_MS);
    const from = Date.now();
    const windowMs = 12 * PROBE_EVERY_MS;
    await sleep(windowMs);
    const to = Date.now();
    const inWindow = (list: Run[]) => list.filter((run) => run.at >= from && run.at < to);

    const fleet = inWindow(await runs('probe-fleet'));
    // 12 periods: once each (a period's holder may be a tick later than the one before, so 10-13), never once per process (36).
    expect(fleet.length).toBeGreaterThanOrEqual(10);
    expect(fleet.length).toBeLessThanOrEqual(13);
    // Never two runs in one period: starts are at least 0.9 period apart (the lease is kept until just before the next tick).
    const gaps = fleet.slice(1).map((run, i) => run.at - fleet[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0.85 * PROBE_EVERY_MS);

    const pod = inWindow(await runs('probe-pod'));
    for (const app of apps) expect(pod.filter((run) => run.pid === app.child.pid).length).toBeGreaterThanOrEqual(10);

    // The other processes counted their ticks as skipped because another pod held the lease.
    const skipped = await Promise.all(apps.map(async (app) => (await (await admin(app, '/probe-fleet')).json()) as { skipped: { lease: number } }));
    expect(skipped.filter((view) => view.skipped.lease > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('GET /admin/schedules lists every schedule with its scope, timing, last and next run', async () => {
    const res = await admin(apps[1], '');
    expect(res.status).toBe(200);
    const list = (await res.json()) as Array<Record<string, unknown>>;
    expect(list.map((view) => view.name).sort()).toEqual(['probe-fleet', 'probe-pod', 'write-behind-reconcile:products', 'write-behind-reconcile:reviews']);
    const fleet = list.find((view) => view.name === 'probe-fleet')!;
    expect(fleet).toMatchObject({ scope: 'fleet-once', everyMs: PROBE_EVERY_MS, cron: null, active: true, paused: false });
    // A fleet-once schedule's last run is the fleet's (stored in Redis), whichever process ran it.
    expect(fleet.lastRun).toMatchObject({ outcome: 'ok', runner: expect.stringMatching(/:\d+$/) as unknown });
    expect(Date.parse((fleet.lastRun as { startedAt: string }).startedAt)).toBeGreaterThan(Date.now() - 3 * PROBE_EVERY_MS);
    expect(Date.parse(fleet.nextRunAt as string)).toBeGreaterThan(Date.now() - PROBE_EVERY_MS);
    expect(list.find((view) => view.name === 'probe-pod')).toMatchObject({
      scope: 'every-pod',
      lastRun: { outcome: 'ok', runner: expect.stringContaining(`:${apps[1].child.pid}`) },
    });

    // A name with a colon is one path segment.
    expect(await (await admin(apps[1], '/write-behind-reconcile:products')).json()).toMatchObject({
      name: 'write-behind-reconcile:products',
      scope: 'fleet-once',
    });
    expect((await admin(apps[1], '/nope')).status).toBe(404);
    expect(await (await admin(apps[1], '/nope')).json()).toMatchObject({ code: 'E_SCHEDULE_NOT_FOUND' });
    expect((await fetch(`${apps[1].url}/admin/schedules`)).status).toBe(401);
    for (const body of ['{"paused":"yes"}', '{}', '{"paused":true,"extra":1}', 'not json']) {
      const bad = await admin(apps[1], '/probe-fleet', { method: 'PUT', body });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('a pause through one process holds on every process; resuming runs it again', async () => {
    const put = await admin(apps[0], '/probe-pod', { method: 'PUT', body: JSON.stringify({ paused: true }) });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ name: 'probe-pod', paused: true });
    // A tick in flight when the pause landed may still record: give it one period.
    await sleep(2 * PROBE_EVERY_MS);
    const pausedAt = Date.now();
    await sleep(4 * PROBE_EVERY_MS);
    expect((await runs('probe-pod')).filter((run) => run.at >= pausedAt)).toEqual([]);
    expect(await (await admin(apps[2], '/probe-pod')).json()).toMatchObject({ paused: true, skipped: { paused: expect.any(Number) as unknown } });

    expect((await admin(apps[2], '/probe-pod', { method: 'PUT', body: JSON.stringify({ paused: false }) })).status).toBe(200);
    const resumedAt = Date.now();
    await sleep(3 * PROBE_EVERY_MS);
    const after = (await runs('probe-pod')).filter((run) => run.at >= resumedAt);
    expect(new Set(after.map((run) => run.pid)).size).toBe(3);
  });

  it('another process takes over within the lease TTL when the holder is SIGKILLed mid-run', async () => {
    // Wait for a run to begin, then kill its process at once (the run lasts 200 ms).
    const before = (await runs('probe-fleet')).length;
    let started: Run | undefined;
    await waitFor(
      async () => {
        const list = await runs('probe-fleet');
        started = list.length > before ? list[list.length - 1] : undefined;
        return started !== undefined;
      },
      5_000,
      'a fleet-once run to start',
    );
    const holder = apps.find((app) => app.child.pid === started!.pid)!;
    holder.child.kill('SIGKILL');
    const killedAt = Date.now();
    await holder.exited;

    let takeover: Run | undefined;
    await waitFor(
      async () => {
        takeover = (await runs('probe-fleet')).find((run) => run.at > killedAt);
        return takeover !== undefined;
      },
      PROBE_LEASE_TTL_MS + 4 * PROBE_EVERY_MS,
      'another process to run it',
    );
    expect(takeover!.pid).not.toBe(holder.child.pid);
    // The lease ran out at most its TTL after its last renewal; the next tick of a live process took it.
    expect(takeover!.at - killedAt).toBeLessThanOrEqual(PROBE_LEASE_TTL_MS + PROBE_EVERY_MS + 250);
    // And the fleet goes on once per period with the two left.
    await sleep(6 * PROBE_EVERY_MS);
    const since = (await runs('probe-fleet')).filter((run) => run.at > takeover!.at);
    expect(since.length).toBeGreaterThanOrEqual(4);
    expect(since.length).toBeLessThanOrEqual(7);
  });
});
