import { FeatureSwitches } from '../../src/degradation/feature-switches.service';
import { CatalogService } from '../../src/features/catalog/catalog.service';
import { SwitchOverrideStore } from '../../src/degradation/switch-override.store';
import { ResilienceRegistry } from '../../src/resilience/resilience.registry';
import { startFakeRecommender, type FakeRecommender } from '../support/fake-recommender';
import { loadFromWorker, percentile } from '../support/http-load';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';

/**
 * GET /products/:id/recommendations against a real HTTP recommender the
 * test controls. 25 seeded products; product n has tags demo and group-(n % 10).
 */
describe('recommendations', () => {
  let t: TestApp;
  let recommender: FakeRecommender;
  let registry: ResilienceRegistry;

  beforeAll(async () => {
    recommender = await startFakeRecommender();
    t = await startTestApp({
      listen: true,
      env: {
        RECOMMENDER_URL: recommender.url,
        RECOMMENDER_TIMEOUT_MS: '100',
        RECOMMENDER_BREAKER_MIN_CALLS: '5',
        RECOMMENDER_BREAKER_FAILURE_PERCENT: '50',
        RECOMMENDER_BREAKER_SLOW_CALL_MS: '100',
        RECOMMENDER_BREAKER_OPEN_MS: '60000',
        RECOMMENDER_RETRY_MAX_ATTEMPTS: '2',
      },
    });
    registry = t.app.get(ResilienceRegistry);
  });

  afterAll(async () => {
    await t?.close();
    await recommender?.close();
  });

  beforeEach(() => {
    recommender.set({ latencyMs: 0, status: 200, body: { productIds: [3, 2, 999999, 1] } });
    recommender.requests.length = 0;
    // Back to a closed breaker with an empty window: tests do not see each other's failures.
    registry.forceState('recommender', 'auto');
  });

  const get = (path: string) => t.app.inject({ method: 'GET', url: path });
  const idsOf = (body: string) => (JSON.parse(body) as { items: { id: number }[] }).items.map((p) => p.id);

  it("serves the recommender's products, resolved through the catalog (unknown ids and the product itself dropped)", async () => {
    const res = await get('/products/1/recommendations');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-fallback']).toBeUndefined();
    expect(JSON.parse(res.body)).toMatchObject({ productId: 1, source: 'recommender' });
    expect(idsOf(res.body)).toEqual([3, 2]);
    expect(recommender.requests).toEqual(['/recommendations/1?limit=10']);
  });

  it('400 on a bad id and 404 on an unknown product, like the catalog, without calling the recommender', async () => {
    const bad = await get('/products/abc/recommendations');
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'E_VALIDATION', errors: [{ parameter: 'id' }] });
    const missing = await get('/products/999999/recommendations');
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ code: 'E_NOT_FOUND' });
    expect(recommender.requests).toEqual([]);
  });

  it('retries a 503 once, then serves the fallback: products sharing a tag, most shared first', async () => {
    recommender.set({ status: 503, body: { error: 'busy' } });
    const res = await get('/products/1/recommendations');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-fallback']).toBe('recommendations');
    expect(res.headers['x-fallback-reason']).toBe('E_RECOMMENDER');
    expect(recommender.requests).toHaveLength(2);
    const body = JSON.parse(res.body) as { source: string; items: { id: number; tags: string[] }[] };
    expect(body.source).toBe('fallback');
    expect(body.items.slice(0, 2).map((p) => p.id)).toEqual([11, 21]); // demo + group-1, like product 1
    expect(body.items).toHaveLength(10);
    expect(body.items.every((p) => p.id !== 1 && p.tags.includes('demo'))).toBe(true);
  });

  it('does not retry a 404 from the recommender', async () => {
    recommender.set({ status: 404, body: {} });
    const res = await get('/products/2/recommendations');
    expect(res.headers['x-fallback-reason']).toBe('E_RECOMMENDER');
    expect(recommender.requests).toHaveLength(1);
  });

  it.each([
    ['not JSON', 'oops{'],
    ['no productIds', { ids: [1, 2] }],
    ['ids that are not positive integers', { productIds: [1, -2, 'x'] }],
    ['more than 100 ids', { productIds: Array.from({ length: 101 }, (_, i) => i + 1) }],
  ])('a malformed answer (%s) is a failure: fallback, not retried', async (_what, body) => {
    recommender.set({ body });
    const res = await get('/products/3/recommendations');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-fallback-reason']).toBe('E_RECOMMENDER');
    expect(JSON.parse(res.body)).toMatchObject({ source: 'fallback' });
    expect(recommender.requests).toHaveLength(1);
  });

  it('a breaker forced open serves the fallback without calling the recommender; auto calls it again', async () => {
    registry.forceState('recommender', 'open');
    const res = await get('/products/4/recommendations');
    expect(res.headers['x-fallback-reason']).toBe('E_BREAKER_OPEN');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    // The fallback answer is cached as bytes: the next one costs no catalog work.
    const related = jest.spyOn(CatalogService.prototype, 'relatedIds');
    const again = await get('/products/4/recommendations');
    expect({ status: again.statusCode, body: again.body, reason: again.headers['x-fallback-reason'] }).toEqual({
      status: 200,
      body: res.body,
      reason: 'E_BREAKER_OPEN',
    });
    expect(related).not.toHaveBeenCalled();
    related.mockRestore();
    expect(recommender.requests).toEqual([]);
    expect(registry.list().find((p) => p.name === 'recommender')).toMatchObject({ state: 'open', forced: 'open' });
    registry.forceState('recommender', 'auto');
    expect((await get('/products/4/recommendations')).headers['x-fallback']).toBeUndefined();
    expect(recommender.requests).toHaveLength(1);
  });

  it('behind the recommendations switch: fallback answers related products, off an empty list, neither calls the recommender; 400/404 kept', async () => {
    const overrides = t.app.get(SwitchOverrideStore);
    const switches = t.app.get(FeatureSwitches);
    try {
      await overrides.set('recommendations', 'fallback');
      await waitFor(() => switches.state('recommendations') === 'fallback', 1_000, 'the override applied');
      const related = await get('/products/5/recommendations');
      expect({ status: related.statusCode, degraded: related.headers['x-degraded'] }).toEqual({ status: 200, degraded: 'recommendations' });
      expect(JSON.parse(related.body)).toMatchObject({ productId: 5, source: 'fallback' });
      expect(idsOf(related.body).slice(0, 2)).toEqual([15, 25]);
      expect((await get('/products/abc/recommendations')).statusCode).toBe(400);
      expect((await get('/products/999999/recommendations')).statusCode).toBe(404);

      await overrides.set('recommendations', 'off');
      await waitFor(() => switches.state('recommendations') === 'off', 1_000, 'the override applied');
      const off = await get('/products/5/recommendations');
      expect({ status: off.statusCode, body: JSON.parse(off.body) }).toEqual({ status: 200, body: { productId: 5, source: 'fallback', items: [] } });
      expect(recommender.requests).toEqual([]);
    } finally {
      await overrides.clear('recommendations');
    }
    await waitFor(() => switches.state('recommendations') === 'on', 1_000, 'the override cleared');
    expect((await get('/products/5/recommendations')).headers['x-degraded']).toBeUndefined();
    expect(recommender.requests).toHaveLength(1);
  });

  it('recommender answering in 2 s, 100 ms timeout: p99 under 150 ms, the breaker opens, the fallback is served, GET /products/:id unaffected', async () => {
    // Warm the caches as on any running instance: products, and each product's related ids (the
    // fallback) with the breaker forced open. A cold fallback costs one more query (10-70 ms here).
    registry.forceState('recommender', 'open');
    for (let id = 1; id <= 25; id++) {
      expect((await fetch(`${t.url}/products/${id}`)).status).toBe(200);
      expect((await fetch(`${t.url}/products/${id}/recommendations`)).headers.get('x-fallback')).toBe('recommendations');
    }
    recommender.set({ latencyMs: 2000 });

    // 1000 requests, 5 at a time: the first ~5 wait for the timeout (the breaker's minimum volume),
    // then it opens and every other request gets the fallback at once. A run during which the
    // machine kept the client thread from running for over 30 ms (p99 timer lag: other processes
    // on the 2 shared cores) measures the machine, not the app: it is repeated, at most twice.
    const ids = Array.from({ length: 25 }, (_, i) => i + 1);
    const measure = async () => {
      registry.forceState('recommender', 'auto');
      recommender.requests.length = 0;
      const opened: string[] = [];
      const unsubscribe = registry.onStateChange((change) => opened.push(`${change.from}→${change.to}`));
      const openedBefore = registry.get('recommender').stats().opened;
      const aborted = recommender.aborted();
      const load = await loadFromWorker([
        { total: 1000, concurrency: 5, urlPrefix: `${t.url}/products/`, ids, urlSuffix: '/recommendations', tallyHeader: 'x-fallback-reason' },
        { total: 300, concurrency: 2, urlPrefix: `${t.url}/products/`, ids, urlSuffix: '' },
      ]);
      unsubscribe();
      return { ...load, opened, openings: registry.get('recommender').stats().opened - openedBefore, abortedBefore: aborted };
    };
    let run = await measure();
    for (let retry = 0; retry < 2 && run.lagP99Ms > 30; retry++) {
      process.stdout.write(`machine busy (client timer lag p99 ${run.lagP99Ms.toFixed(0)} ms): measuring again\n`);
      run = await measure();
    }
    const [r, p] = run.streams;
    const { opened } = run;

    expect(r.statuses).toEqual({ 200: 1000 });
    expect(r.tally.get('undefined')).toBeUndefined(); // every answer was a fallback…
    const timedOut = r.tally.get('E_TIMEOUT')!;
    expect(timedOut).toBeGreaterThanOrEqual(5); // …first timeouts (5 calls open the breaker),
    expect(timedOut).toBeLessThanOrEqual(10);
    expect(r.tally.get('E_BREAKER_OPEN')).toBe(1000 - timedOut); // …then the open breaker, at once.
    const slowest = [...r.latencies].sort((a, b) => b - a);
    // Timed-out requests were abandoned at the timeout, not after the recommender's 2 s.
    expect(slowest[0]).toBeLessThan(1000);
    process.stdout.write(
      `recommendations with a 2 s recommender: p50 ${percentile(r.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(r.latencies, 0.99).toFixed(1)} ms, ` +
        `slowest ${slowest.slice(0, timedOut).map(Math.round).join('/')} ms (${timedOut} timeouts); ` +
        `GET /products/:id p99 ${percentile(p.latencies, 0.99).toFixed(1)} ms; client timer lag p99 ${run.lagP99Ms.toFixed(1)} ms\n`,
    );
    expect(percentile(r.latencies, 0.99)).toBeLessThan(150);
    expect(opened[0]).toBe('closed→open');
    expect(run.openings).toBe(1);
    expect(registry.get('recommender').stats().state).toBe('open');
    // Abandoned calls were really cancelled: the recommender saw their connections close.
    await waitFor(() => recommender.aborted() - run.abortedBefore === recommender.requests.length, 2000, 'aborted recommender requests');
    expect(recommender.requests.length).toBe(timedOut);

    expect(p.statuses).toEqual({ 200: 300 });
    expect(percentile(p.latencies, 0.99)).toBeLessThan(150);
  });
});
