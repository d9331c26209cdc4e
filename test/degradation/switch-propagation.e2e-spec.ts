import type Redis from 'ioredis';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheFastPath } from '../../src/cache/cache-fast-path';
import { DEGRADATION_SUBSCRIBER } from '../../src/degradation/degradation.constants';
import { FeatureSwitches } from '../../src/degradation/feature-switches.service';
import { InFlightCounter } from '../../src/degradation/in-flight.counter';
import { SwitchOverrideStore } from '../../src/degradation/switch-override.store';
import { REDIS_CACHE_CLIENT } from '../../src/redis/redis.constants';
import { handlerCalls, TestFeatureModule } from '../support/degradable-feature.module';
import { httpRequest } from '../support/http-client';
import { SharedIsolation } from '../support/shared-isolation';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';

jest.setTimeout(30_000);

const TOKEN = 'propagation-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

/**
 * Runtime overrides across instances: two in-process app instances A and B on one key prefix (as
 * pods share Redis), each with the test-only feature module (`widgets`: non-essential, with a
 * fallback). B reaches Redis through a TcpProxy so its connection can be cut.
 * - a switch set through A's admin API is in force on B within 1 s;
 * - after both restart, it is still in force on the very first request;
 * - cleared on B, A follows within 1 s;
 * - B, cut off from Redis while A changes a switch, catches up when it reconnects.
 */
describe('switch overrides across instances (e2e)', () => {
  const shared = new SharedIsolation();
  let proxyB: TcpProxy;
  let a: TestApp;
  let b: TestApp;

  const env = () => shared.env({ ADMIN_TOKEN: TOKEN, HEALTH_READY_REQUIRES: 'redis', REDIS_RETRY_MAX_DELAY_MS: '100', DEGRADATION_SHEDDING_ENABLED: 'false' });
  const startA = () => startTestApp({ env: env(), modules: [TestFeatureModule], listen: true });
  const startB = () => startTestApp({ env: { ...env(), REDIS_URL: `redis://127.0.0.1:${proxyB.port}` }, modules: [TestFeatureModule] });
  const widgets = (t: TestApp) => t.app.inject({ method: 'GET', url: '/test-feature/widgets' });
  const setSwitch = (t: TestApp, feature: string, state: string) =>
    t.app.inject({ method: 'PUT', url: `/admin/switches/${feature}`, headers: auth, payload: { state } });

  /** Polls B every 5 ms until `done`; returns the elapsed ms. */
  async function timeUntil(done: () => Promise<boolean>, limitMs: number): Promise<number> {
    const startedAt = performance.now();
    while (!(await done())) {
      if (performance.now() - startedAt > limitMs) throw new Error(`not within ${limitMs} ms`);
      await sleep(5);
    }
    return performance.now() - startedAt;
  }

  beforeAll(async () => {
    proxyB = await TcpProxy.start('127.0.0.1', 6379);
    a = await startA();
    b = await startB();
  });

  afterAll(async () => {
    proxyB.restore();
    // app.close() only: TestApp.close() would delete the shared prefix's keys as well.
    await b?.app.close();
    await a?.app.close();
    await proxyB.close();
    await shared.cleanup();
  });

  it('a switch set through the admin API on A is in force on B within 1 s, and B no longer calls the handler', async () => {
    const before = await widgets(b);
    expect({ status: before.statusCode, body: before.json(), degraded: before.headers['x-degraded'] }).toEqual({
      status: 200,
      body: { source: 'handler' },
      degraded: undefined,
    });

    const put = await setSwitch(a, 'widgets', 'off');
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ feature: 'widgets', state: 'off', source: 'override', sources: { override: 'off', default: 'on' } });
    const elapsedMs = await timeUntil(async () => (await widgets(b)).headers['x-degraded'] === 'widgets', 1_000);
    expect(elapsedMs).toBeLessThan(1_000);

    const callsBefore = handlerCalls.widgets;
    const res = await widgets(b);
    expect({ status: res.statusCode, body: res.json(), cacheControl: res.headers['cache-control'] }).toEqual({
      status: 200,
      body: { source: 'fallback', state: 'off' },
      cacheControl: 'no-store',
    });
    expect(handlerCalls.widgets).toBe(callsBefore);
    expect(b.app.get(FeatureSwitches).info('widgets')).toMatchObject({ state: 'off', source: 'override', changes: 1 });
  });

  it('is still in force after both instances restart, from their first request on', async () => {
    await b.app.close();
    await a.app.close();
    a = await startA();
    b = await startB();
    // HEALTH_READY_REQUIRES=redis: start-up (which startTestApp waited for) includes reading the overrides.
    for (const t of [a, b]) {
      const res = await widgets(t);
      expect({ degraded: res.headers['x-degraded'], body: res.json() }).toEqual({ degraded: 'widgets', body: { source: 'fallback', state: 'off' } });
      expect(t.app.get(FeatureSwitches).info('widgets')).toMatchObject({ state: 'off', source: 'override' });
    }
  });

  it('cleared on B, A follows within 1 s', async () => {
    const del = await b.app.inject({ method: 'DELETE', url: '/admin/switches/widgets', headers: auth });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({ feature: 'widgets', state: 'on', source: 'default', sources: { default: 'on' } });
    const elapsedMs = await timeUntil(async () => (await widgets(a)).headers['x-degraded'] === undefined, 1_000);
    expect(elapsedMs).toBeLessThan(1_000);
    expect((await widgets(a)).json()).toEqual({ source: 'handler' });
  });

  it('B, cut off from Redis while A sets a switch, applies it when it reconnects', async () => {
    const store = b.app.get(SwitchOverrideStore);
    proxyB.cutAll();
    await waitFor(
      () => b.app.get<Redis>(DEGRADATION_SUBSCRIBER).status !== 'ready' && b.app.get<Redis>(REDIS_CACHE_CLIENT).status !== 'ready',
      2_000,
      'B to lose Redis',
    );
    expect((await setSwitch(a, 'gadgets', 'off')).statusCode).toBe(200);
    // While cut off, B keeps what it last read.
    await sleep(200);
    expect(b.app.get(FeatureSwitches).state('gadgets')).toBe('on');
    // An admin write on B fails cleanly: 503, nothing changed.
    const failed = await setSwitch(b, 'gizmos', 'off');
    expect({ status: failed.statusCode, code: failed.json().code, retryAfter: failed.headers['retry-after'] }).toEqual({
      status: 503,
      code: 'E_DEPENDENCY_UNAVAILABLE',
      retryAfter: '5',
    });
    expect(b.app.get(FeatureSwitches).state('gizmos')).toBe('on');

    const reloads = store.reloads;
    proxyB.restore();
    await waitFor(() => store.reloads > reloads, 5_000, 'B to re-read the overrides');
    await waitFor(() => b.app.get<Redis>(DEGRADATION_SUBSCRIBER).status === 'ready', 5_000, "B's switch subscriber to reconnect");
    await waitFor(() => b.app.get(FeatureSwitches).state('gadgets') === 'off', 1_000, 'B to apply the override set while it was away');
    const res = await b.app.inject({ method: 'GET', url: '/test-feature/gadgets' });
    expect({ status: res.statusCode, code: res.json().code, degraded: res.headers['x-degraded'], retryAfter: res.headers['retry-after'] }).toEqual({
      status: 503,
      code: 'E_FEATURE_DISABLED',
      degraded: 'gadgets',
      retryAfter: '30',
    });
  });

  it('counts requests in flight from the raw request on, L1 fast-path hits included, and releases each one', async () => {
    const counter = a.app.get(InFlightCounter);
    await httpRequest(a.url, { path: '/products/3' });
    counter.takePeak();
    const hit = await httpRequest(a.url, { path: '/products/3' });
    expect(hit.headers['x-cache']).toBe('L1');
    // Shedding is disabled here, so nothing else takes the peak between the request and this line.
    expect(counter.takePeak()).toBe(1);
    await Promise.all(Array.from({ length: 20 }, () => httpRequest(a.url, { path: '/products/3' })));
    await waitFor(() => counter.current === 0, 1_000, 'every response closed');
  });

  it('the L1 fast path does not answer a cached route whose switch is not on: the fallback is served, and L1 again once it is back on', async () => {
    const get = () => httpRequest(a.url, { path: '/test-feature/cached-widget' });
    expect((await get()).headers['x-cache']).toBe('MISS');
    const serve = jest.spyOn(a.app.get(CacheFastPath), 'serve');
    const hit = await get();
    expect({ tier: hit.headers['x-cache'], body: hit.json() }).toEqual({ tier: 'L1', body: { source: 'handler', cached: true } });
    // Switch on: answered by the fast path itself (DegradationInterceptor is one it reproduces).
    expect(serve.mock.results.map((result) => result.value)).toEqual([true]);
    serve.mockRestore();
    const calls = handlerCalls.widgets;

    expect((await setSwitch(a, 'widgets', 'off')).statusCode).toBe(200);
    const degraded = await get();
    expect({ status: degraded.statusCode, degraded: degraded.headers['x-degraded'], tier: degraded.headers['x-cache'], body: degraded.json() }).toEqual({
      status: 200,
      degraded: 'widgets',
      tier: undefined,
      body: { source: 'fallback', state: 'off' },
    });
    expect(handlerCalls.widgets).toBe(calls);

    expect((await a.app.inject({ method: 'DELETE', url: '/admin/switches/widgets', headers: auth })).statusCode).toBeLessThan(300);
    await waitFor(async () => (await get()).headers['x-cache'] === 'L1', 1_000, 'the fast path answering again');
    expect(handlerCalls.widgets).toBe(calls);
  });
});
