import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { FeatureSwitches } from '../../src/degradation/feature-switches.service';
import { LoadShedder } from '../../src/degradation/load-shedder.service';
import { handlerCalls, releaseSlow, TestFeatureModule } from '../support/degradable-feature.module';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';

jest.setTimeout(30_000);

/** Keeps the event loop busy for `ms` (the app runs in this process, so its loop is this one). */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

const logLines = (spy: jest.SpyInstance) => spy.mock.calls.map((args: unknown[]) => args[0]);

/**
 * Load shedding in a running app (in-process, so the test can block the app's event loop itself,
 * with no test hook in production code), with the test-only feature module: `widgets`, `gadgets`
 * and `gizmos` are non-essential, `ledger` is essential.
 */
describe('load shedding on event-loop delay (e2e)', () => {
  let t: TestApp;
  let info: jest.SpyInstance;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    info = jest.spyOn(Logger.prototype, 'log');
    warn = jest.spyOn(Logger.prototype, 'warn');
    t = await startTestApp({
      modules: [TestFeatureModule],
      env: {
        DEGRADATION_SHEDDING_ENABLED: 'true',
        DEGRADATION_SHED_SAMPLE_MS: '100',
        DEGRADATION_SHED_EVENT_LOOP_P99_MS: '150',
        DEGRADATION_UNSHED_EVENT_LOOP_P99_MS: '80',
        DEGRADATION_SHED_HOLD_MS: '700',
        DEGRADATION_SWITCHES_FILE: '',
      },
    });
    // Boot itself may block the loop for a while: start from a calm state.
    await waitFor(() => !t.app.get(LoadShedder).status().active, 10_000, 'shedding from start-up to end');
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });

  it('bursts of a blocked loop turn non-essential features to fallback, essential routes are still served, and calm turns them back', async () => {
    const switches = t.app.get(FeatureSwitches);
    const shedder = t.app.get(LoadShedder);
    const activationsBefore = shedder.status().activations;
    expect(switches.state('widgets')).toBe('on');

    // Bursts: 300 ms blocked, 40 ms free, until the shedder has seen it (at most ~3 s).
    const deadline = performance.now() + 3_000;
    while (!shedder.status().active && performance.now() < deadline) {
      blockFor(300);
      await sleep(40);
    }
    expect(shedder.status()).toMatchObject({ active: true, reason: expect.stringMatching(/^eventLoopP99Ms \d+ > 150$/) });
    expect(shedder.status().activations).toBe(activationsBefore + 1);

    // Still in bursts: non-essential features answer their fallback (or 503), essential ones their handler.
    const ledgerCalls = handlerCalls.ledger;
    let lastBlockEnd = 0;
    for (let burst = 0; burst < 3; burst += 1) {
      blockFor(250);
      lastBlockEnd = Date.now();
      await sleep(20);
      const [widgets, gadgets, ledger, product] = await Promise.all(
        ['/test-feature/widgets', '/test-feature/gadgets', '/test-feature/ledger', '/products/1'].map((url) => t.app.inject({ method: 'GET', url })),
      );
      expect({ status: widgets.statusCode, degraded: widgets.headers['x-degraded'], body: widgets.json() }).toEqual({
        status: 200,
        degraded: 'widgets',
        body: { source: 'fallback', state: 'fallback' },
      });
      expect({ status: gadgets.statusCode, code: gadgets.json().code }).toEqual({ status: 503, code: 'E_FEATURE_DISABLED' });
      expect({ status: ledger.statusCode, degraded: ledger.headers['x-degraded'], body: ledger.json() }).toEqual({
        status: 200,
        degraded: undefined,
        body: { source: 'handler' },
      });
      expect({ status: product.statusCode, id: product.json().id }).toEqual({ status: 200, id: 1 });
    }
    expect(handlerCalls.ledger).toBe(ledgerCalls + 3);
    expect(switches.info('widgets')).toMatchObject({ state: 'fallback', source: 'shedding', shed: true });
    expect(switches.info('ledger')).toMatchObject({ state: 'on', shed: false });

    // Calm: back on after the hold (700 ms) and a few samples. The calm cannot have begun before the
    // last burst ended (the policy's clock is Date.now, so is this one); the requests above ran in it.
    await waitFor(() => switches.state('widgets') === 'on', 5_000, 'widgets back on');
    expect(Date.now() - lastBlockEnd).toBeGreaterThanOrEqual(700);
    expect(shedder.status()).toMatchObject({ active: false, deactivations: activationsBefore + 1 });
    for (const feature of ['widgets', 'gadgets', 'gizmos']) {
      expect(switches.info(feature)).toMatchObject({ state: 'on', source: 'default', automaticChanges: 2 * (activationsBefore + 1) });
    }
    expect(switches.info('ledger')!.automaticChanges).toBe(0);
    expect((await t.app.inject({ method: 'GET', url: '/test-feature/widgets' })).json()).toEqual({ source: 'handler' });

    // Every automatic change logged: one line per feature each way, and shedding's own start/stop lines.
    expect(logLines(info)).toEqual(
      expect.arrayContaining([
        { feature: 'widgets', from: 'on', to: 'fallback', source: 'shedding', automatic: true },
        { feature: 'widgets', from: 'fallback', to: 'on', source: 'default', automatic: true },
        { feature: 'gadgets', from: 'on', to: 'fallback', source: 'shedding', automatic: true },
      ]),
    );
    expect(logLines(warn)).toEqual(expect.arrayContaining([expect.objectContaining({ reason: expect.stringMatching(/^eventLoopP99Ms/) })]));
  });

  it('a manual override wins over shedding', async () => {
    const switches = t.app.get(FeatureSwitches);
    const shedder = t.app.get(LoadShedder);
    switches.replaceFile(new Map([['widgets', 'on']]));
    const deadline = performance.now() + 3_000;
    while (!shedder.status().active && performance.now() < deadline) {
      blockFor(300);
      await sleep(40);
    }
    expect(shedder.status().active).toBe(true);
    expect(switches.info('widgets')).toMatchObject({ state: 'on', source: 'file', shed: false });
    expect(switches.info('gadgets')).toMatchObject({ state: 'fallback', source: 'shedding' });
    switches.replaceFile(new Map());
    await waitFor(() => !shedder.status().active, 5_000, 'shedding to end');
  });
});

describe('load shedding on in-flight requests (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      modules: [TestFeatureModule],
      listen: true,
      env: {
        DEGRADATION_SHEDDING_ENABLED: 'true',
        DEGRADATION_SHED_SAMPLE_MS: '100',
        // Only in-flight requests may trigger it here.
        DEGRADATION_SHED_EVENT_LOOP_P99_MS: '5000',
        DEGRADATION_UNSHED_EVENT_LOOP_P99_MS: '5000',
        DEGRADATION_SHED_IN_FLIGHT: '20',
        DEGRADATION_UNSHED_IN_FLIGHT: '5',
        DEGRADATION_SHED_HOLD_MS: '300',
      },
    });
  });

  afterAll(async () => {
    releaseSlow();
    await t?.close();
  });

  it('more than DEGRADATION_SHED_IN_FLIGHT requests at once shed non-essential features; when they finish, they come back', async () => {
    const switches = t.app.get(FeatureSwitches);
    const shedder = t.app.get(LoadShedder);
    expect(switches.state('widgets')).toBe('on');
    const slow = Array.from({ length: 30 }, () => fetch(`${t.url}/test-feature/slow`).then((res) => res.status));
    await waitFor(() => handlerCalls.slow >= 30, 5_000, '30 requests in flight');
    await waitFor(() => switches.state('widgets') === 'fallback', 1_000, 'shedding on in-flight requests');
    expect(shedder.status()).toMatchObject({ active: true, reason: expect.stringMatching(/^inFlight \d+ > 20$/), inFlight: 30 });
    const product = await fetch(`${t.url}/products/2`);
    expect(product.status).toBe(200);

    releaseSlow();
    expect(await Promise.all(slow)).toEqual(Array(30).fill(200));
    await waitFor(() => switches.state('widgets') === 'on', 3_000, 'widgets back on');
    expect(shedder.status()).toMatchObject({ active: false, inFlight: 0 });
    expect(switches.info('widgets')).toMatchObject({ automaticChanges: 2 });
  });
});
