import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppProcess } from '../support/app-process';
import { spawnAppWithModules } from '../support/feature-app-process';
import { SharedIsolation, stopProcess } from '../support/shared-isolation';
import { waitFor } from '../support/test-app';

jest.setTimeout(60_000);

const TOKEN = 'two-process-test-token-abcdef012345';
const FEATURE: ReadonlyArray<readonly [string, string]> = [[join(__dirname, '..', 'support', 'degradable-feature.module.ts'), 'TestFeatureModule']];

/**
 * The same promise as switch-propagation.e2e-spec.ts, with two real processes (the built app
 * plus the test-only feature module, see feature-app-process.ts) sharing one Redis key prefix:
 * a switch set through A's admin API is in force on B within 1 s, and still in force after both
 * processes restart.
 */
describe('switch overrides across two processes (e2e)', () => {
  const shared = new SharedIsolation();
  const apps: AppProcess[] = [];
  const env = shared.env({ ADMIN_TOKEN: TOKEN, HEALTH_READY_REQUIRES: 'redis', DEGRADATION_SHEDDING_ENABLED: 'false' });

  async function start(): Promise<AppProcess> {
    const app = await spawnAppWithModules(FEATURE, env);
    apps.push(app);
    await waitFor(
      async () => {
        if (app.child.exitCode !== null) throw new Error(`app exited:\n${app.output()}`);
        return (await fetch(`${app.url}/health/startup`).catch(() => undefined))?.status === 200;
      },
      30_000,
      'startup probe',
    );
    return app;
  }

  async function widgets(app: AppProcess): Promise<{ degraded: string | null; body: unknown }> {
    const res = await fetch(`${app.url}/test-feature/widgets`);
    return { degraded: res.headers.get('x-degraded'), body: await res.json() };
  }

  afterAll(async () => {
    await Promise.all(apps.map((app) => stopProcess(app)));
    await shared.cleanup();
  });

  it('a switch set on A is in force on B within 1 s, and after both restart', async () => {
    // A first: it migrates and seeds the shared schema.
    let a = await start();
    let b = await start();
    expect(await widgets(b)).toEqual({ degraded: null, body: { source: 'handler' } });

    const put = await fetch(`${a.url}/admin/switches/widgets`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'fallback' }),
    });
    expect(put.status).toBe(200);
    const setAt = performance.now();
    while ((await widgets(b)).degraded !== 'widgets') {
      if (performance.now() - setAt > 1_000) throw new Error('B did not apply the switch within 1 s');
      await sleep(5);
    }
    expect(performance.now() - setAt).toBeLessThan(1_000);
    expect(await widgets(b)).toEqual({ degraded: 'widgets', body: { source: 'fallback', state: 'fallback' } });

    await Promise.all([stopProcess(a), stopProcess(b)]);
    [a, b] = await Promise.all([start(), start()]);
    // Start-up (HEALTH_READY_REQUIRES=redis) includes reading the overrides: the first request is already degraded.
    for (const app of [a, b]) expect(await widgets(app)).toEqual({ degraded: 'widgets', body: { source: 'fallback', state: 'fallback' } });
    const listed = (await (await fetch(`${b.url}/admin/switches/widgets`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as object;
    expect(listed).toMatchObject({ state: 'fallback', source: 'override', sources: { override: 'fallback', default: 'on' } });
  });
});
