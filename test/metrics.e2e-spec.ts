import { HttpMetrics } from '../src/metrics/http.metrics';
import { freePort, get } from './support/app-process';
import { labelValues, parseExposition, rawSamples, sampleValue, type PromFamily } from './support/prometheus';
import { TcpProxy } from './support/tcp-proxy';
import { CacheInterceptor } from '../src/cache/cache.interceptor';
import { httpRequest } from './support/http-client';
import { productBody } from './support/problem-expectations';
import { writesFlushed } from './support/write-behind';
import { startTestApp, waitFor, type TestApp } from './support/test-app';

/** GET /metrics through the app, parsed (the parser throws on an invalid exposition). */
async function scrape(t: TestApp): Promise<Map<string, PromFamily>> {
  return parseExposition(await scrapeText(t));
}

/** Over a real socket when the app listens (in-flight is counted on the raw request, which `inject()` skips). */
async function scrapeText(t: TestApp): Promise<string> {
  const res = t.url ? await httpRequest(t.url, { path: '/metrics' }) : await t.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return res.body;
}

const productRoute = { route: '/products/:id', method: 'GET', status_class: '2xx' };

describe('metrics (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ listen: true, env: { CACHE_L1_TTL_MS: '60000' } });
  });
  afterAll(() => t.close());

  it('serves a valid exposition with the HTTP, process and cache families and their labels', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/products/1' })).headers['x-cache']).toBe('MISS');
    expect((await t.app.inject({ method: 'GET', url: '/products/1' })).headers['x-cache']).toBe('L1');
    expect((await t.app.inject({ method: 'GET', url: '/products/999999' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/products/999999' })).statusCode).toBe(404); // negative hit
    expect((await t.app.inject({ method: 'GET', url: '/products?ids=2,3' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/no/such/path' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/products', payload: { sku: '' } })).statusCode).toBe(400);

    const text = await scrapeText(t);
    const m = parseExposition(text);
    const requests = m.get('bulwark_http_requests_total');
    expect(requests?.type).toBe('COUNTER');
    for (const sample of requests!.metrics) expect(Object.keys(sample.labels ?? {}).sort()).toEqual(['method', 'route', 'status_class']);
    expect(labelValues(requests, 'route')).toEqual(new Set(['/products/:id', '/products', 'unmatched']));
    expect(sampleValue(requests, productRoute)).toBe(2);
    expect(sampleValue(requests, { route: '/products/:id', status_class: '4xx' })).toBe(2);
    expect(sampleValue(requests, { route: 'unmatched', method: 'GET', status_class: '4xx' })).toBe(1);
    expect(sampleValue(requests, { route: '/products', method: 'POST', status_class: '4xx' })).toBe(1);

    const duration = m.get('bulwark_http_request_duration_seconds');
    expect(duration?.type).toBe('HISTOGRAM');
    const isProduct2xx = (labels: Record<string, string>) => labels.route === '/products/:id' && labels.method === 'GET' && labels.status_class === '2xx';
    expect(rawSamples(text, 'bulwark_http_request_duration_seconds_count').find((s) => isProduct2xx(s.labels))?.value).toBe(2);
    const buckets = rawSamples(text, 'bulwark_http_request_duration_seconds_bucket').filter((s) => isProduct2xx(s.labels));
    expect(buckets.map((s) => s.labels.le)).toEqual([
      '0.0005',
      '0.001',
      '0.0025',
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '+Inf',
    ]);
    expect(buckets.at(-1)?.value).toBe(2);
    expect(Object.keys(rawSamples(text, 'bulwark_http_request_duration_seconds_sum')[0].labels).sort()).toEqual(['method', 'route', 'status_class']);
    expect(m.get('bulwark_http_requests_in_flight')?.type).toBe('GAUGE');
    expect(sampleValue(m.get('bulwark_http_requests_in_flight'))).toBe(1); // the scrape itself

    for (const name of ['nodejs_eventloop_lag_p99_seconds', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      expect(m.has(name)).toBe(true);
    }

    const hits = m.get('bulwark_cache_hits_total');
    expect(labelValues(hits, 'tier')).toEqual(new Set(['l1', 'l2']));
    expect(sampleValue(hits, { tier: 'l1' })).toBeGreaterThanOrEqual(2); // the L1 hit and the negative hit
    expect(sampleValue(m.get('bulwark_cache_misses_total'))).toBeGreaterThanOrEqual(3);
    expect(labelValues(m.get('bulwark_cache_loads_total'), 'kind')).toEqual(new Set(['single', 'batch']));
    expect(sampleValue(m.get('bulwark_cache_loads_total'), { kind: 'single' })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(m.get('bulwark_cache_loads_total'), { kind: 'batch' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(m.get('bulwark_cache_negative_hits_total'))).toBeGreaterThanOrEqual(1);
    expect(m.get('bulwark_cache_stale_served_total')?.type).toBe('COUNTER');
    expect(labelValues(m.get('bulwark_cache_bus_messages_total'), 'direction')).toEqual(new Set(['published', 'received']));
    const breaker = m.get('bulwark_cache_l2_breaker_state');
    expect(labelValues(breaker, 'state')).toEqual(new Set(['closed', 'open', 'half_open']));
    expect(sampleValue(breaker, { state: 'closed' })).toBe(1);
    expect(sampleValue(m.get('bulwark_cache_hot_keys'))).toBeGreaterThanOrEqual(0);
    expect(sampleValue(m.get('bulwark_cache_l1_entries'))).toBeGreaterThanOrEqual(1);

    expect(labelValues(m.get('bulwark_log_suppressed_total'), 'level')).toEqual(new Set(['error', 'warn', 'info', 'debug', 'trace']));
    expect(m.get('bulwark_log_templates_tracked')?.type).toBe('GAUGE');
  });

  it('counts the L1 answers of the fast path (in front of Fastify, over a real socket) under the route template, with their latency', async () => {
    await t.app.inject({ method: 'GET', url: '/products/5' });
    const intercept = jest.spyOn(CacheInterceptor.prototype, 'intercept');
    const before = await scrape(t);
    const countBefore = sampleValue(before.get('bulwark_http_requests_total'), productRoute) ?? 0;
    for (let i = 0; i < 50; i++) {
      expect((await httpRequest(t.url, { path: '/products/5' })).headers['x-cache']).toBe('L1');
    }
    expect(intercept).not.toHaveBeenCalled(); // the fast path answered, not Nest
    intercept.mockRestore();
    const m = await scrape(t);
    expect(sampleValue(m.get('bulwark_http_requests_total'), productRoute)).toBe(countBefore + 50);
    const text = await scrapeText(t);
    const count = rawSamples(text, 'bulwark_http_request_duration_seconds_count').find(
      (s) => s.labels.route === '/products/:id' && s.labels.status_class === '2xx',
    );
    expect(count?.value).toBe(countBefore + 50);
    expect(sampleValue(m.get('bulwark_http_requests_total'), { route: '/metrics', status_class: '2xx' })).toBeGreaterThanOrEqual(1);
  });

  it('exports write-behind, resilience and degradation families with their labels after exercising them', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/products', payload: productBody({ name: 'Metered' }) });
    expect(created.statusCode).toBe(201);
    await writesFlushed(t.app);
    // The recommender is not reachable here: the call fails and the fallback answers.
    expect((await t.app.inject({ method: 'GET', url: '/products/3/recommendations' })).headers['x-fallback']).toBe('recommendations');

    const text = await scrapeText(t);
    const m = parseExposition(text);
    expect(sampleValue(m.get('bulwark_write_behind_enqueued_total'), { queue: 'products' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(m.get('bulwark_write_behind_flushed_rows_total'), { queue: 'products' })).toBeGreaterThanOrEqual(1);
    expect(labelValues(m.get('bulwark_write_behind_queue_depth'), 'state')).toEqual(new Set(['waiting', 'delayed', 'active']));
    expect(sampleValue(m.get('bulwark_write_behind_dead_letter_jobs'), { queue: 'products' })).toBe(0);
    expect(m.get('bulwark_write_behind_oldest_job_age_seconds')?.type).toBe('GAUGE');
    const batches = rawSamples(text, 'bulwark_write_behind_batch_size_count').find((s) => s.labels.queue === 'products');
    expect(batches?.value).toBeGreaterThanOrEqual(1);
    expect(rawSamples(text, 'bulwark_write_behind_batch_size_bucket').find((s) => s.labels.queue === 'products' && s.labels.le === '+Inf')?.value).toBe(
      batches?.value,
    );
    // A summary: quantiles over the last 1000 jobs (1 = the slowest), _sum and _count since start-up.
    expect(m.get('bulwark_write_behind_flush_lag_seconds')?.type).toBe('SUMMARY');
    const lag = rawSamples(text, 'bulwark_write_behind_flush_lag_seconds').filter((s) => s.labels.queue === 'products');
    expect(lag.map((s) => s.labels.quantile)).toEqual(['0.5', '0.99', '1']);
    expect(lag.every((s) => s.value >= 0 && s.value < 60)).toBe(true);
    expect(rawSamples(text, 'bulwark_write_behind_flush_lag_seconds_count').find((s) => s.labels.queue === 'products')?.value).toBeGreaterThanOrEqual(1);
    expect(rawSamples(text, 'bulwark_write_behind_flush_lag_seconds_sum').find((s) => s.labels.queue === 'products')?.value).toBeGreaterThanOrEqual(0);

    expect(sampleValue(m.get('bulwark_breaker_state'), { policy: 'recommender', state: 'closed' })).toBe(1);
    expect(sampleValue(m.get('bulwark_breaker_state'), { policy: 'recommender', state: 'open' })).toBe(0);
    expect(sampleValue(m.get('bulwark_policy_calls_total'), { policy: 'recommender', outcome: 'failure' })).toBeGreaterThanOrEqual(1);
    expect(labelValues(m.get('bulwark_policy_calls_total'), 'outcome')).toContain('rejectedOpen');
    expect(m.get('bulwark_policy_retries_total')?.type).toBe('COUNTER');
    expect(m.get('bulwark_policy_retry_budget_exhausted_total')?.type).toBe('COUNTER');

    expect(sampleValue(m.get('bulwark_switch_state'), { feature: 'recommendations', state: 'on' })).toBe(1);
    expect(labelValues(m.get('bulwark_switch_changes_total'), 'source')).toEqual(new Set(['manual', 'automatic']));
    expect(sampleValue(m.get('bulwark_shedding_active'))).toBe(0);

    // Schedules: the kit's two (this app runs every role), by outcome and skip reason.
    const schedules = ['cache-refresh-ahead', 'write-behind-reconcile:products', 'write-behind-reconcile:reviews'];
    expect(labelValues(m.get('bulwark_schedule_runs_total'), 'schedule')).toEqual(new Set(schedules));
    expect(labelValues(m.get('bulwark_schedule_runs_total'), 'outcome')).toEqual(new Set(['ok', 'failed']));
    expect(labelValues(m.get('bulwark_schedule_skipped_total'), 'reason')).toEqual(new Set(['overlap', 'lease', 'paused', 'unavailable']));
    expect(m.get('bulwark_schedule_run_duration_seconds')?.type).toBe('SUMMARY');
    let ran = 0;
    await waitFor(
      async () => (ran = sampleValue((await scrape(t)).get('bulwark_schedule_runs_total'), { schedule: 'cache-refresh-ahead', outcome: 'ok' }) ?? 0) >= 1,
      5_000,
      'a refresh-ahead run',
    );
    expect(ran).toBeGreaterThanOrEqual(1);
    expect(sampleValue((await scrape(t)).get('bulwark_schedule_last_success_timestamp_seconds'), { schedule: 'cache-refresh-ahead' })).toBeGreaterThan(
      Date.now() / 1000 - 10,
    );
  });

  it('keeps route labels bounded: 10,000 requests to distinct ids and paths add no label value', async () => {
    await t.app.inject({ method: 'GET', url: '/products/1' });
    const before = await scrape(t);
    const labelsBefore = labelValues(before.get('bulwark_http_requests_total'), 'route');
    const seriesBefore = before.get('bulwark_http_requests_total')!.metrics.length;
    // Distinct ids: valid ones not in the table (each one a miss and a query), invalid ones (400 before any query), unknown paths.
    const urls = Array.from(
      { length: 10_000 },
      (_, i) => [`/products/${1_000_000 + i}`, `/products/x${i}`, `/nothing-here/${i}`, `/products/${1_000_000 + i}/x`][i % 4],
    );
    for (let start = 0; start < urls.length; start += 200) {
      const statuses = await Promise.all(urls.slice(start, start + 200).map(async (url) => (await t.app.inject({ method: 'GET', url })).statusCode));
      for (const status of statuses) expect([400, 404]).toContain(status);
    }
    const after = await scrape(t);
    const requests = after.get('bulwark_http_requests_total');
    expect(labelValues(requests, 'route')).toEqual(labelsBefore);
    // The 4xx series of the two routes may be new (their first 404), nothing else.
    expect(requests!.metrics.length).toBeLessThanOrEqual(seriesBefore + 2);
    expect(sampleValue(requests, { route: 'unmatched', method: 'GET', status_class: '4xx' })).toBeGreaterThanOrEqual(5000);
    expect(sampleValue(requests, { route: '/products/:id', method: 'GET', status_class: '4xx' })).toBeGreaterThanOrEqual(5000);
    expect(
      t.app
        .get(HttpMetrics)
        .routeLabels()
        .every((route) => route === 'unmatched' || route.startsWith('/')),
    ).toBe(true);
    expect(
      t.app
        .get(HttpMetrics)
        .routeLabels()
        .some((route) => /\d{4,}/.test(route)),
    ).toBe(false);
  });
});

describe('in-flight gauge (e2e)', () => {
  it('counts a request in flight while PostgreSQL is slow, and not after its client gave up', async () => {
    const pg = await TcpProxy.start('127.0.0.1', 5432);
    const t = await startTestApp({ listen: true, env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/test` } });
    try {
      const inFlight = async () => sampleValue(parseExposition((await get(`${t.url}/metrics`)).body).get('bulwark_http_requests_in_flight'));
      pg.setLatency(400);
      const slow = fetch(`${t.url}/products/20`, { signal: AbortSignal.timeout(300) }).catch((error: Error) => error.name);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await inFlight()).toBe(2); // the slow read and the scrape
      expect(await slow).toBe('TimeoutError');
      pg.setLatency(0);
      await waitFor(async () => (await inFlight()) === 1, 5000, 'the aborted request to leave the gauge'); // the scrape only
    } finally {
      await t.close();
      await pg.close();
    }
  });
});

describe('metrics on their own port (e2e)', () => {
  it('serves /metrics on METRICS_PORT and not on the app port', async () => {
    const port = await freePort();
    const t = await startTestApp({ listen: true, env: { METRICS_PORT: String(port) } });
    try {
      await get(`${t.url}/products/1`);
      expect((await get(`${t.url}/metrics`)).status).toBe(404);
      const res = await get(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      const m = parseExposition(res.body);
      expect(sampleValue(m.get('bulwark_http_requests_total'), { route: '/products/:id', status_class: '2xx' })).toBe(1);
      expect(m.has('bulwark_cache_hits_total')).toBe(true);
      expect((await get(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await t.close();
    }
    expect((await get(`http://127.0.0.1:${port}/metrics`, 1000)).status).toBe(-1);
  });
});

describe('metrics disabled (e2e)', () => {
  it('METRICS_ENABLED=false: no /metrics route and nothing recorded', async () => {
    const t = await startTestApp({ env: { METRICS_ENABLED: 'false' } });
    try {
      expect((await t.app.inject({ method: 'GET', url: '/products/1' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/products/1' })).headers['x-cache']).toBe('L1');
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
      expect(t.app.get(HttpMetrics).routeLabels()).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
