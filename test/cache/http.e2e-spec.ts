import { setTimeout as sleep } from 'node:timers/promises';
import { CacheInterceptor } from '../../src/cache/cache.interceptor';
import type Redis from 'ioredis';
import { DatabaseService } from '../../src/database/database.service';
import { httpRequest } from '../support/http-client';
import { REDIS_QUEUE_CLIENT } from '../../src/redis/redis.constants';
import { expectProblem, productBody } from '../support/problem-expectations';
import { TEST_REDIS_URL } from '../support/services';
import { deleteKeys } from '../support/redis-keys';
import { startTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(30_000);

/**
 * The HTTP face of `@Cached()` on `GET /products/:id`:
 * - `x-cache` MISS then L1; `ETag` is `"<version>"`; `Cache-Control` has
 *   `max-age` and `stale-while-revalidate`;
 * - `If-None-Match` with that ETag gives an empty 304, both on the L1 fast
 *   path (in front of Fastify: the interceptor does not run) and on
 *   the interceptor path (the first request after the L1 copy expired);
 * - a 404 is cached negatively (the next requests run no SQL), and a POST
 *   creating that id makes it readable at once;
 * - malformed ids still get the 400 problem: the fast path does not bypass
 *   the validation pipe.
 */
describe('cached GET /products/:id over HTTP (e2e)', () => {
  // L1 copies expire after 1 s (long enough for a few requests on a busy machine); values stay fresh in L2 for the default 60 s.
  const L1_TTL_MS = 1_000;
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ listen: true, env: { CACHE_L1_TTL_MS: String(L1_TTL_MS), CACHE_HOT_L1_TTL_MS: '0', CACHE_JITTER_PERCENT: '0' } });
  });
  afterAll(async () => {
    await t.close();
    await deleteKeys(TEST_REDIS_URL, t.keyPrefix);
  });
  afterEach(() => jest.restoreAllMocks());

  // Over a real socket: the fast path sits in front of Fastify, where `inject()` does not go.
  const get = (path: string, headers: Record<string, string> = {}) => httpRequest(t.url, { path, headers });
  const interceptorRuns = () => jest.spyOn(CacheInterceptor.prototype, 'intercept');
  const CACHE_CONTROL = /^max-age=(\d+), stale-while-revalidate=(\d+)$/;

  it('answers MISS, then L1, with ETag "<version>" and Cache-Control max-age + stale-while-revalidate', async () => {
    const miss = await get('/products/5');
    expect(miss.statusCode).toBe(200);
    expect(miss.headers['content-type']).toMatch(/^application\/json/);
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(miss.headers.etag).toBe(`"${miss.json<{ version: number }>().version}"`);
    expect(miss.headers.etag).toBe('"1"');
    const [, maxAge, swr] = CACHE_CONTROL.exec(String(miss.headers['cache-control']))!;
    expect(Number(maxAge)).toBeGreaterThanOrEqual(59); // CACHE_TTL_MS 60 s, just loaded
    expect(Number(maxAge)).toBeLessThanOrEqual(60);
    expect(Number(swr)).toBe(30); // CACHE_STALE_MS

    const intercept = interceptorRuns();
    const hit = await get('/products/5');
    expect(hit.statusCode).toBe(200);
    expect(hit.headers['x-cache']).toBe('L1');
    expect(hit.headers.etag).toBe('"1"');
    expect(hit.headers['cache-control']).toMatch(CACHE_CONTROL);
    expect(hit.headers['content-type']).toBe(miss.headers['content-type']);
    expect(hit.body).toBe(miss.body);
    expect(intercept).not.toHaveBeenCalled(); // answered by the fast path
    // The same response as the full path: the same header names, the request id echoed.
    expect(Object.keys(hit.headers).sort()).toEqual(Object.keys(miss.headers).sort());
    expect(hit.headers['content-length']).toBe(miss.headers['content-length']);
    const traced = await get('/products/5?ignored=1', { 'x-request-id': 'trace-5' });
    expect({ tier: traced.headers['x-cache'], id: traced.headers['x-request-id'], body: traced.body }).toEqual({ tier: 'L1', id: 'trace-5', body: miss.body });
    expect(intercept).not.toHaveBeenCalled();
  });

  it('If-None-Match: an empty 304 on the fast path (L1 hit) and on the interceptor path (after L1 expiry)', async () => {
    const first = await get('/products/6');
    const etag = first.headers.etag as string;
    expect(etag).toBe('"1"');
    const intercept = interceptorRuns();

    const fast = await get('/products/6', { 'if-none-match': etag });
    expect({ status: fast.statusCode, body: fast.body, tier: fast.headers['x-cache'], etag: fast.headers.etag }).toEqual({
      status: 304,
      body: '',
      tier: 'L1',
      etag,
    });
    expect(fast.headers['cache-control']).toMatch(CACHE_CONTROL);
    expect(intercept).not.toHaveBeenCalled();
    // A weak comparison and a list match too; another version does not.
    expect((await get('/products/6', { 'if-none-match': `"7", W/${etag}` })).statusCode).toBe(304);
    const other = await get('/products/6', { 'if-none-match': '"2"' });
    expect({ status: other.statusCode, body: other.body }).toEqual({ status: 200, body: first.body });

    await sleep(L1_TTL_MS + 50);
    const slow = await get('/products/6', { 'if-none-match': etag });
    expect({ status: slow.statusCode, body: slow.body, tier: slow.headers['x-cache'], etag: slow.headers.etag }).toEqual({
      status: 304,
      body: '',
      tier: 'L2',
      etag,
    });
    expect(slow.headers['cache-control']).toMatch(CACHE_CONTROL);
    expect(intercept).toHaveBeenCalledTimes(1);
  });

  it('caches a 404 (no SQL for the next requests, from L1 or L2); a POST creating that id makes it readable at once', async () => {
    // New ids come from the write path's pool in Redis (reserved ahead from the table's sequence): the next one is its head.
    const nextId = Number(await t.app.get<Redis>(REDIS_QUEUE_CLIENT).lindex(`${t.keyPrefix}wb:{products}:ids`, 0));
    const url = `/products/${nextId}`;

    expectProblem(await get(url), url, { status: 404, code: 'E_NOT_FOUND' });
    const query = jest.spyOn(t.app.get(DatabaseService), 'query');
    expectProblem(await get(url), url, { status: 404, code: 'E_NOT_FOUND' }); // from L1
    await sleep(L1_TTL_MS + 50);
    expectProblem(await get(url), url, { status: 404, code: 'E_NOT_FOUND' }); // from L2
    expect(query).not.toHaveBeenCalled();
    query.mockRestore();

    const created = await t.app.inject({ method: 'POST', url: '/products', payload: productBody({ name: 'Created after a cached 404' }) });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: nextId, version: 1 });

    const read = await get(url);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: nextId, name: 'Created after a cached 404' });
    expect(read.headers.etag).toBe('"1"');
    await sleep(L1_TTL_MS + 50);
    expect((await get(url)).statusCode).toBe(200); // L2 holds the new value too, not the 404
  });

  it.each(['abc', '01', '0', '1.0', '+1', '%201'])('still answers 400 to the malformed id %s, with product 1 in L1', async (id) => {
    expect((await get('/products/1')).statusCode).toBe(200);
    expect((await get('/products/1')).headers['x-cache']).toBe('L1');
    for (let i = 0; i < 2; i++) {
      const res = await get(`/products/${id}`);
      expectProblem(res, `/products/${id}`, { status: 400, code: 'E_VALIDATION', errors: [{ parameter: 'id' }] });
      expect(res.headers['x-cache']).toBeUndefined();
    }
  });
});
