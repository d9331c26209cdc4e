import { Logger } from '@nestjs/common';
import { CacheFastPath } from '../../src/cache/cache-fast-path';
import { CacheInterceptor } from '../../src/cache/cache.interceptor';
import { httpRequest } from '../support/http-client';
import { access, BEARER, BearerGuard, GlobalBearerGuardModule, GuardedFeatureModule } from '../support/guarded-feature.module';
import { startTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(60_000);

/** Counts the requests the L1 fast path answered itself (its `serve` returned true) from now on. */
function fastPathAnswers(t: TestApp): () => number {
  // spyOn returns the spy already in place: clear what earlier tests recorded.
  const serve = jest.spyOn(t.app.get(CacheFastPath), 'serve').mockClear();
  return () => serve.mock.results.filter((result) => result.value === true).length;
}

/** The messages `CacheFastPath` logged at bootstrap. */
function fastPathLines(log: jest.SpyInstance): string[] {
  return log.mock.calls
    .filter(([, context]) => context === undefined)
    .map(([message]) => String(message))
    .filter((m) => m.startsWith('L1 fast path'));
}

/**
 * The L1 fast path answers a cached route before Nest only when it reproduces what Nest would run
 * on the hit. Over real sockets (the fast path is in front of Fastify, `inject()` does not reach it):
 * - a guard on the controller or the route keeps answering 403 once the value is in L1;
 * - a controller interceptor before the cache still runs on L1 hits;
 * - a global guard (an `APP_GUARD` provider, `app.useGlobalGuards()` before init) takes the
 *   catalog's cached GETs through Nest, so it is never bypassed; one added after init (which Nest
 *   itself ignores) still turns the fast path off at the first request;
 * - without any of these, `GET /products/:id` is still answered by the fast path.
 */
describe('the L1 fast path fails closed (e2e)', () => {
  const get = (t: TestApp, path: string, headers: Record<string, string> = {}) => httpRequest(t.url, { path, headers });

  describe('guards and interceptors on cached routes', () => {
    let t: TestApp;
    let log: jest.SpyInstance;

    beforeAll(async () => {
      log = jest.spyOn(Logger.prototype, 'log');
      t = await startTestApp({ listen: true, modules: [GuardedFeatureModule] });
    });
    afterAll(async () => {
      log.mockRestore();
      await t.close();
    });
    afterEach(() => {
      access.open = true;
    });

    it.each([
      ['a controller guard', '/guarded-controller/1'],
      ['a route guard', '/guarded-route/1'],
    ])('%s keeps answering 403 once the value is in L1: no request of the route is answered by the fast path', async (_, path) => {
      const answered = fastPathAnswers(t);
      expect((await get(t, path)).headers['x-cache']).toBe('MISS');
      const hit = await get(t, path);
      expect({ status: hit.statusCode, tier: hit.headers['x-cache'] }).toEqual({ status: 200, tier: 'L1' }); // Nest's CacheInterceptor, from L1
      access.open = false;
      for (let i = 0; i < 3; i++) expect((await get(t, path)).statusCode).toBe(403);
      expect(answered()).toBe(0);
    });

    it('a controller interceptor before the cache runs on L1 hits too', async () => {
      const answered = fastPathAnswers(t);
      await get(t, '/stamped/1');
      const hit = await get(t, '/stamped/1');
      expect({ tier: hit.headers['x-cache'], stamped: hit.headers['x-stamped'] }).toEqual({ tier: 'L1', stamped: 'yes' });
      expect(answered()).toBe(0);
    });

    it("the catalog's GET /products/:id, with no such enhancer, is still answered by the fast path", async () => {
      await get(t, '/products/4');
      const answered = fastPathAnswers(t);
      const intercept = jest.spyOn(CacheInterceptor.prototype, 'intercept');
      const hit = await get(t, '/products/4');
      expect({ status: hit.statusCode, tier: hit.headers['x-cache'] }).toEqual({ status: 200, tier: 'L1' });
      expect(answered()).toBe(1);
      expect(intercept).not.toHaveBeenCalled();
      intercept.mockRestore();
    });

    it('bootstrap logs the routes it answers and the cached routes it leaves to Nest, with why', () => {
      const lines = fastPathLines(log);
      const on = lines.find((line) => line.startsWith('L1 fast path on '));
      expect(on).toContain('/products/:id');
      expect(on).not.toContain('guarded');
      const off = lines.find((line) => line.startsWith('L1 fast path not on '));
      expect(off).toContain('GET /guarded-controller/:id (guards: DoorGuard)');
      expect(off).toContain('GET /guarded-route/:id (guards: DoorGuard)');
      expect(off).toContain('GET /stamped/:id (interceptors before the cache: StampInterceptor)');
    });
  });

  describe.each([
    ['an APP_GUARD provider', { modules: [GlobalBearerGuardModule] }],
    ['app.useGlobalGuards() before init', { beforeInit: (app: TestApp['app']) => void app.useGlobalGuards(new BearerGuard()) }],
  ])('a global guard (%s)', (_, options) => {
    let t: TestApp;
    let log: jest.SpyInstance;

    beforeAll(async () => {
      log = jest.spyOn(Logger.prototype, 'log');
      t = await startTestApp({ listen: true, ...options });
    });
    afterAll(async () => {
      log.mockRestore();
      await t.close();
    });

    it('is known at bootstrap: every cached route is left to Nest, and the log says why', () => {
      const lines = fastPathLines(log);
      expect(lines.find((line) => line.startsWith('L1 fast path on '))).toBeUndefined();
      expect(lines.find((line) => line.startsWith('L1 fast path not on '))).toContain('GET /products/:id (guards: BearerGuard)');
    });

    it("is never bypassed on the catalog's cached GETs: 403 without the token even once the product is in L1", async () => {
      const answered = fastPathAnswers(t);
      const auth = { authorization: BEARER };
      expect((await get(t, '/products/2', auth)).headers['x-cache']).toBe('MISS');
      expect((await get(t, '/products/2', auth)).headers['x-cache']).toBe('L1');
      for (let i = 0; i < 3; i++) expect((await get(t, '/products/2')).statusCode).toBe(403);
      expect(answered()).toBe(0);
    });
  });

  describe('a global guard added after init', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ listen: false });
      t.app.useGlobalGuards(new BearerGuard());
      await t.app.listen({ host: '127.0.0.1', port: 0 });
    });
    afterAll(async () => {
      await t.close();
    });

    it('turns the fast path off at the first request (Nest itself does not run it on the routes it compiled at init)', async () => {
      const url = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
      const answered = fastPathAnswers(t);
      const auth = { authorization: BEARER };
      expect((await httpRequest(url, { path: '/products/2', headers: auth })).headers['x-cache']).toBe('MISS');
      expect((await httpRequest(url, { path: '/products/2', headers: auth })).headers['x-cache']).toBe('L1');
      expect(answered()).toBe(0);
      // What Nest does with it: nothing (its route handlers were built at init). Should that change,
      // this fails and the README's note on late globals needs another look.
      expect((await httpRequest(url, { path: '/products/2' })).statusCode).toBe(200);
    });
  });
});
