import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheService } from '../../src/cache/cache.service';
import { FeatureSwitches } from '../../src/degradation/feature-switches.service';
import { TestFeatureModule } from '../support/degradable-feature.module';
import { expectProblem } from '../support/problem-expectations';
import { TEST_REDIS_URL } from '../support/services';
import { ResilienceRegistry } from '../../src/resilience/resilience.registry';
import { OverloadProtection } from '../../src/overload';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';

jest.setTimeout(30_000);

const TOKEN = 'admin-e2e-token-9f8e7d6c5b4a';
const auth = { authorization: `Bearer ${TOKEN}` };
const ROUTES = [
  { method: 'GET', url: '/admin/switches' },
  { method: 'GET', url: '/admin/switches/widgets' },
  { method: 'PUT', url: '/admin/switches/widgets', payload: { state: 'off' } },
  { method: 'DELETE', url: '/admin/switches/widgets' },
  { method: 'GET', url: '/admin/cache/hot-keys' },
  { method: 'GET', url: '/admin/breakers' },
  { method: 'PUT', url: '/admin/breakers/recommender', payload: { state: 'open' } },
  { method: 'GET', url: '/admin/overload' },
  { method: 'PUT', url: '/admin/overload', payload: { limit: 1 } },
] as const;

/** What must not change when a request is refused: the effective switch and the Redis hash. */
async function switchState(t: TestApp, redis: Redis): Promise<unknown> {
  return { state: t.app.get(FeatureSwitches).info('widgets'), stored: await redis.hgetall(`${t.keyPrefix}{degradation}:overrides`) };
}

describe('admin API without ADMIN_TOKEN (e2e)', () => {
  let t: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    t = await startTestApp({ modules: [TestFeatureModule] });
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await t?.close();
  });

  it('answers 404 on every admin route, with or without a token, exactly like an unknown route, and changes nothing', async () => {
    const before = await switchState(t, redis);
    for (const route of ROUTES) {
      for (const headers of [{}, auth, { authorization: 'Bearer anything-at-all-here' }]) {
        const res = await t.app.inject({ ...route, headers });
        expectProblem(res, route.url, { status: 404, code: 'E_NOT_FOUND' });
        expect(res.json().detail).toBe(`Cannot ${route.method} ${route.url}`);
      }
    }
    expect(await switchState(t, redis)).toEqual(before);
    expect(t.app.get(FeatureSwitches).state('widgets')).toBe('on');
  });
});

describe('admin API with ADMIN_TOKEN (e2e)', () => {
  let t: TestApp;
  let redis: Redis;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    warn = jest.spyOn(Logger.prototype, 'warn');
    t = await startTestApp({ modules: [TestFeatureModule], env: { ADMIN_TOKEN: TOKEN, DEGRADATION_SHEDDING_ENABLED: 'false' } });
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    redis.disconnect();
    await t?.close();
  });

  it('a missing, malformed or wrong token gets 401 with WWW-Authenticate on every route, and nothing changes', async () => {
    const before = await switchState(t, redis);
    const cases = [
      { headers: {}, challenge: 'Bearer realm="bulwark-admin"' },
      { headers: { authorization: TOKEN }, challenge: 'Bearer realm="bulwark-admin"' },
      { headers: { authorization: `Basic ${TOKEN}` }, challenge: 'Bearer realm="bulwark-admin"' },
      { headers: { authorization: `Bearer ${TOKEN}x` }, challenge: 'Bearer realm="bulwark-admin", error="invalid_token"' },
      { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, challenge: 'Bearer realm="bulwark-admin", error="invalid_token"' },
    ];
    for (const route of ROUTES) {
      for (const { headers, challenge } of cases) {
        const res = await t.app.inject({ ...route, headers });
        expectProblem(res, route.url, { status: 401, code: 'E_ADMIN_UNAUTHORIZED' });
        expect(res.headers['www-authenticate']).toBe(challenge);
      }
    }
    expect(await switchState(t, redis)).toEqual(before);
    expect(t.app.get(FeatureSwitches).state('widgets')).toBe('on');
  });

  it('logs refusals as warnings, rate-limited, and never the token', async () => {
    // The bucket (5 lines, 5 a second) was emptied by the test above: let it refill.
    await sleep(1_100);
    warn.mockClear();
    for (let i = 0; i < 50; i += 1) await t.app.inject({ method: 'GET', url: '/admin/switches', headers: { authorization: `Bearer ${TOKEN}-guess-${i}` } });
    const lines = warn.mock.calls.filter(([first]) => (first as { failure?: string })?.failure !== undefined);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines[0]![0]).toMatchObject({ failure: 'wrong', method: 'GET', path: '/admin/switches' });
    expect(JSON.stringify(warn.mock.calls)).not.toContain(TOKEN);
  });

  it('lists switches with effective state, source, per-source values, essential, and load shedding', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/admin/switches', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.switches.map((s: { feature: string }) => s.feature)).toEqual(['gadgets', 'gizmos', 'ledger', 'recommendations', 'reviews', 'widgets']);
    expect(body.switches.find((s: { feature: string }) => s.feature === 'widgets')).toEqual({
      feature: 'widgets',
      state: 'on',
      source: 'default',
      essential: false,
      hasFallback: true,
      sources: { default: 'on' },
      shed: false,
      changes: 0,
      automaticChanges: 0,
      fallbacksServed: 0,
      rejected: 0,
    });
    expect(body.shedding).toMatchObject({ enabled: false, active: false, activations: 0 });
  });

  it('sets and clears an override; the switch, the Redis hash and the route follow', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/admin/switches/widgets', headers: auth, payload: { state: 'fallback' } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ feature: 'widgets', state: 'fallback', source: 'override', sources: { override: 'fallback' } });
    expect(await redis.hgetall(`${t.keyPrefix}{degradation}:overrides`)).toEqual({ widgets: 'fallback' });
    expect((await t.app.inject({ method: 'GET', url: '/test-feature/widgets' })).headers['x-degraded']).toBe('widgets');
    expect((await t.app.inject({ method: 'GET', url: '/admin/switches/widgets', headers: auth })).json()).toMatchObject({
      state: 'fallback',
      fallbacksServed: 1,
    });

    const del = await t.app.inject({ method: 'DELETE', url: '/admin/switches/widgets', headers: auth });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({ state: 'on', source: 'default' });
    expect(await redis.hgetall(`${t.keyPrefix}{degradation}:overrides`)).toEqual({});
  });

  it('unknown feature: 404 E_SWITCH_NOT_FOUND, nothing stored', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url: '/admin/switches/nope', headers: auth, ...(method === 'PUT' ? { payload: { state: 'off' } } : {}) });
      expectProblem(res, '/admin/switches/nope', { status: 404, code: 'E_SWITCH_NOT_FOUND' });
    }
    expect(await redis.hgetall(`${t.keyPrefix}{degradation}:overrides`)).toEqual({});
  });

  it('bad body: 400 E_VALIDATION pointing at the field, nothing changed', async () => {
    const before = await switchState(t, redis);
    const cases: Array<[unknown, string[]]> = [
      [{ state: 'disabled' }, ['#/state']],
      [{}, ['#/state']],
      [{ state: 'off', until: '2030-01-01' }, ['#/until']],
      [['off'], ['#']],
    ];
    for (const [payload, pointers] of cases) {
      const res = await t.app.inject({ method: 'PUT', url: '/admin/switches/widgets', headers: auth, payload: payload as object });
      expectProblem(res, '/admin/switches/widgets', { status: 400, code: 'E_VALIDATION', errors: pointers.map((pointer) => ({ pointer })) });
    }
    const text = await t.app.inject({
      method: 'PUT',
      url: '/admin/switches/widgets',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"state":',
    });
    expectProblem(text, '/admin/switches/widgets', { status: 400, code: 'E_BAD_REQUEST' });
    expect(await switchState(t, redis)).toEqual(before);
  });

  it('lists the cache hot keys, limit validated', async () => {
    // Hot keys are sampled over a sliding window that lags by up to one 2 s bucket: keep reading until the tracker lists it.
    const cache = t.app.get(CacheService);
    await waitFor(
      async () => {
        for (let i = 0; i < 100; i += 1) await t.app.inject({ method: 'GET', url: '/products/4' });
        return cache.hotKeys().some(({ key }) => key === 'product:4');
      },
      8_000,
      'product:4 to be hot',
    );
    const res = await t.app.inject({ method: 'GET', url: '/admin/cache/hot-keys?limit=5', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().keys[0]).toEqual({ key: 'product:4', estimatedHits: expect.any(Number) });
    expect(res.json().keys.length).toBeLessThanOrEqual(5);
    expectProblem(await t.app.inject({ method: 'GET', url: '/admin/cache/hot-keys?limit=0', headers: auth }), '/admin/cache/hot-keys', {
      status: 400,
      code: 'E_VALIDATION',
      errors: [{ parameter: 'limit' }],
    });
  });

  it('lists breakers and forces one open, closed and back to auto; unknown name 404, bad body 400', async () => {
    const registry = t.app.get(ResilienceRegistry);
    const list = await t.app.inject({ method: 'GET', url: '/admin/breakers', headers: auth });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'recommender', state: 'closed', forced: null })]));

    const force = (state: string) => t.app.inject({ method: 'PUT', url: '/admin/breakers/recommender', headers: auth, payload: { state } });
    expect((await force('open')).json()).toMatchObject({ state: 'open', forced: 'open' });
    expect(registry.list().find((p) => p.name === 'recommender')).toMatchObject({ state: 'open', forced: 'open' });
    expect((await t.app.inject({ method: 'GET', url: '/admin/breakers/recommender', headers: auth })).json()).toMatchObject({ state: 'open' });
    expect((await force('closed')).json()).toMatchObject({ state: 'closed', forced: 'closed' });
    expect((await force('auto')).json()).toMatchObject({ state: 'closed', forced: null });

    expectProblem(await t.app.inject({ method: 'PUT', url: '/admin/breakers/nope', headers: auth, payload: { state: 'open' } }), '/admin/breakers/nope', {
      status: 404,
      code: 'E_POLICY_NOT_FOUND',
    });
    expectProblem(await force('half-open'), '/admin/breakers/recommender', { status: 400, code: 'E_VALIDATION', errors: [{ pointer: '#/state' }] });
    expect(registry.list().find((p) => p.name === 'recommender')).toMatchObject({ forced: null });
  });

  it('shows the overload limiter, pins its limit and unpins it, turns it on and off; a bad body is 400 and changes nothing', async () => {
    const admission = t.app.get(OverloadProtection).admission;
    const state = await t.app.inject({ method: 'GET', url: '/admin/overload', headers: auth });
    expect(state.statusCode).toBe(200);
    expect(state.json()).toMatchObject({ enabled: false, pinned: false, inFlight: 0, queued: 0, rejected: { critical: 0, essential: 0, sheddable: 0 } });

    const put = (payload: unknown) => t.app.inject({ method: 'PUT', url: '/admin/overload', headers: auth, payload: payload as object });
    expect((await put({ limit: 7, enabled: true })).json()).toMatchObject({ enabled: true, pinned: true, limit: 7 });
    expect([admission.enabled, admission.limit]).toEqual([true, 7]);
    for (const bad of [{}, { limit: 0 }, { limit: 2.5 }, { enabled: 'yes' }, { limit: 3, extra: 1 }]) {
      expect((await put(bad)).statusCode).toBe(400);
    }
    expect([admission.enabled, admission.limit]).toEqual([true, 7]);
    expect((await put({ limit: null, enabled: false })).json()).toMatchObject({ enabled: false, pinned: false });
    expect(admission.limit).not.toBe(7);
  });
});
