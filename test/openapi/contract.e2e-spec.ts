import { httpRequest, type HttpResponse } from '../support/http-client';
import { OpenApiContract, type OpenApiDoc } from '../support/openapi-contract';
import { productBody } from '../support/problem-expectations';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';

/**
 * The contract test: a real app (real PostgreSQL and Redis, over a socket, so the L1 fast path
 * answers too) gets good and bad requests for every operation of its own `/openapi.json`, and
 * every response (status, headers, body) is checked against the document. A route missing from
 * the document, an undocumented status or problem code, a header or body that does not match its
 * schema: each is a failure naming the operation.
 */
const TOKEN = 'openapi-contract-e2e-token-0123';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_BODY = { 'content-type': 'application/json' };

/** What a step of the run shares with the later ones (ids made on the way). */
interface Context {
  productId: number;
  reviewId: number;
  etag: string;
  version: number;
  deadLetters: string[];
}

/** One request: the operation it exercises, the status it must get, and what to remember of the answer. */
interface Step {
  readonly op: string;
  readonly status: number;
  readonly method?: string;
  readonly path: string | ((c: Context) => string);
  readonly headers?: Record<string, string> | ((c: Context) => Record<string, string>);
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly after?: (res: HttpResponse, c: Context) => void;
}

const longId = '1'.repeat(101);
const AUTHOR = { 'x-author-id': '3f0e5b7c-8d1a-4c2e-9b6f-2a7d9e1c4b5a' };

const STEPS: readonly Step[] = [
  // Docs and probes.
  { op: 'GET /openapi.json', status: 200, path: '/openapi.json' },
  { op: 'GET /docs', status: 200, path: '/docs' },
  { op: 'GET /docs/{file}', status: 200, path: '/docs/swagger-ui.css' },
  { op: 'GET /docs/{file}', status: 200, path: '/docs/init.js' },
  { op: 'GET /docs/{file}', status: 400, path: '/docs/package.json' },
  { op: 'GET /docs/{file}', status: 400, path: '/docs/..%2F..%2Fpackage.json' },
  { op: 'GET /health/live', status: 200, path: '/health/live' },
  { op: 'GET /health/ready', status: 200, path: '/health/ready' },
  { op: 'GET /health/startup', status: 200, path: '/health/startup' },
  { op: 'GET /metrics', status: 200, path: '/metrics' },
  // The catalog: reads.
  { op: 'GET /products', status: 200, path: '/products?limit=2' },
  { op: 'GET /products', status: 200, path: '/products?ids=3,1,3,999999' },
  { op: 'GET /products', status: 400, path: '/products?limit=0' },
  { op: 'GET /products', status: 400, path: '/products?ids=1&limit=2' },
  { op: 'GET /products', status: 400, path: '/products?colour=red' },
  { op: 'GET /products/{id}', status: 200, path: '/products/1', after: (res, c) => (c.etag = String(res.headers.etag)) },
  { op: 'GET /products/{id}', status: 200, path: '/products/1', after: (res) => expect(res.headers['x-cache']).toBe('L1') },
  { op: 'GET /products/{id}', status: 304, path: '/products/1', headers: (c) => ({ 'if-none-match': c.etag }) },
  { op: 'GET /products/{id}', status: 400, path: '/products/abc' },
  { op: 'GET /products/{id}', status: 400, path: '/products/0' },
  { op: 'GET /products/{id}', status: 404, path: '/products/999999' },
  { op: 'GET /products/{id}', status: 414, path: `/products/${longId}` },
  // The catalog: writes.
  {
    op: 'POST /products',
    status: 201,
    method: 'POST',
    path: '/products',
    body: productBody({ sku: 'CONTRACT-1' }),
    after: (res, c) => {
      c.productId = res.json<{ id: number }>().id;
      c.version = res.json<{ version: number }>().version;
    },
  },
  { op: 'POST /products', status: 409, method: 'POST', path: '/products', body: productBody({ sku: 'CONTRACT-1' }) },
  { op: 'POST /products', status: 400, method: 'POST', path: '/products', body: productBody({ priceMinor: -1, colour: 'red' }) },
  { op: 'POST /products', status: 400, method: 'POST', path: '/products', rawBody: '{"sku": ' },
  { op: 'POST /products', status: 415, method: 'POST', path: '/products', headers: { 'content-type': 'text/plain' }, rawBody: 'hello' },
  { op: 'POST /products', status: 413, method: 'POST', path: '/products', rawBody: JSON.stringify({ ...productBody(), description: 'x'.repeat(70_000) }) },
  {
    op: 'PUT /products/{id}',
    status: 200,
    method: 'PUT',
    path: (c) => `/products/${c.productId}`,
    headers: (c) => ({ 'if-match': `"${c.version}"` }),
    body: productBody({ sku: 'CONTRACT-1', name: 'Teapot, large' }),
    after: (res, c) => (c.version = res.json<{ version: number }>().version),
  },
  { op: 'PUT /products/{id}', status: 409, method: 'PUT', path: (c) => `/products/${c.productId}`, headers: { 'if-match': '"1"' }, body: productBody() },
  { op: 'PUT /products/{id}', status: 400, method: 'PUT', path: (c) => `/products/${c.productId}`, headers: { 'if-match': 'W/"1"' }, body: productBody() },
  { op: 'PUT /products/{id}', status: 400, method: 'PUT', path: '/products/1', body: { sku: 'x' } },
  { op: 'PUT /products/{id}', status: 404, method: 'PUT', path: '/products/999999', body: productBody() },
  {
    op: 'POST /products/bulk',
    status: 200,
    method: 'POST',
    path: '/products/bulk',
    body: {
      items: [
        { op: 'create', product: productBody({ sku: 'CONTRACT-BULK-1' }) },
        { op: 'replace', id: 999999, product: productBody({ sku: 'CONTRACT-BULK-2' }) },
        { op: 'create', product: productBody({ sku: 'CONTRACT-1' }) },
        { op: 'delete', id: 999999 },
      ],
    },
    after: (res) => expect(res.json<{ items: Array<{ status: number }> }>().items.map((item) => item.status)).toEqual([201, 404, 409, 404]),
  },
  {
    op: 'POST /products/bulk',
    status: 409,
    method: 'POST',
    path: '/products/bulk?atomic=true',
    body: {
      items: [
        { op: 'create', product: productBody({ sku: 'CONTRACT-BULK-3' }) },
        { op: 'create', product: productBody({ sku: 'CONTRACT-1' }) },
      ],
    },
  },
  { op: 'POST /products/bulk', status: 400, method: 'POST', path: '/products/bulk', body: { items: [] } },
  { op: 'POST /products/bulk', status: 400, method: 'POST', path: '/products/bulk?atomic=yes', body: { items: [{ op: 'delete', id: 999999 }] } },
  { op: 'DELETE /products/{id}', status: 409, method: 'DELETE', path: (c) => `/products/${c.productId}`, headers: { 'if-match': '"1"' } },
  { op: 'DELETE /products/{id}', status: 400, method: 'DELETE', path: '/products/-1' },
  { op: 'DELETE /products/{id}', status: 404, method: 'DELETE', path: '/products/999999' },
  { op: 'DELETE /products/{id}', status: 204, method: 'DELETE', path: (c) => `/products/${c.productId}`, headers: (c) => ({ 'if-match': `"${c.version}"` }) },
  // Recommendations: the recommender is unreachable (a refused port), so the fallback answers.
  {
    op: 'GET /products/{id}/recommendations',
    status: 200,
    path: '/products/2/recommendations',
    after: (res) => expect(res.headers['x-fallback']).toBe('recommendations'),
  },
  { op: 'GET /products/{id}/recommendations', status: 400, path: '/products/x/recommendations' },
  { op: 'GET /products/{id}/recommendations', status: 404, path: '/products/999999/recommendations' },
  // Reviews: the rating first (a review written lands within ms and drops it, so the L1 step would race the flush).
  { op: 'GET /products/{id}/rating', status: 200, path: '/products/2/rating' },
  { op: 'GET /products/{id}/rating', status: 200, path: '/products/2/rating', after: (res) => expect(res.headers['x-cache']).toBe('L1') },
  { op: 'GET /products/{id}/rating', status: 400, path: '/products/x/rating' },
  { op: 'GET /products/{id}/rating', status: 404, path: '/products/999999/rating' },
  {
    op: 'POST /products/{id}/reviews',
    status: 201,
    method: 'POST',
    path: '/products/2/reviews',
    headers: AUTHOR,
    body: { rating: 4, text: 'Pours well.' },
    after: (res, c) => (c.reviewId = res.json<{ id: number }>().id),
  },
  { op: 'POST /products/{id}/reviews', status: 409, method: 'POST', path: '/products/2/reviews', headers: AUTHOR, body: { rating: 1, text: 'Again.' } },
  { op: 'POST /products/{id}/reviews', status: 400, method: 'POST', path: '/products/2/reviews', headers: AUTHOR, body: { rating: 6, text: '' } },
  {
    op: 'POST /products/{id}/reviews',
    status: 400,
    method: 'POST',
    path: '/products/2/reviews',
    headers: { 'x-author-id': 'alice' },
    body: { rating: 3, text: 'x' },
  },
  { op: 'POST /products/{id}/reviews', status: 404, method: 'POST', path: '/products/999999/reviews', headers: AUTHOR, body: { rating: 3, text: 'x' } },
  { op: 'GET /products/{id}/reviews', status: 200, path: '/products/2/reviews?limit=5' },
  { op: 'GET /products/{id}/reviews', status: 400, path: '/products/2/reviews?cursor=nope' },
  { op: 'GET /products/{id}/reviews', status: 404, path: '/products/999999/reviews' },
  {
    op: 'DELETE /products/{id}/reviews/{reviewId}',
    status: 403,
    method: 'DELETE',
    path: (c) => `/products/2/reviews/${c.reviewId}`,
    headers: { 'x-author-id': '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d' },
  },
  { op: 'DELETE /products/{id}/reviews/{reviewId}', status: 400, method: 'DELETE', path: '/products/2/reviews/0', headers: AUTHOR },
  { op: 'DELETE /products/{id}/reviews/{reviewId}', status: 404, method: 'DELETE', path: '/products/2/reviews/999999', headers: AUTHOR },
  { op: 'DELETE /products/{id}/reviews/{reviewId}', status: 204, method: 'DELETE', path: (c) => `/products/2/reviews/${c.reviewId}`, headers: AUTHOR },
  // The admin API.
  { op: 'GET /admin/switches', status: 200, path: '/admin/switches', headers: AUTH },
  { op: 'GET /admin/switches', status: 401, path: '/admin/switches' },
  { op: 'GET /admin/switches', status: 401, path: '/admin/switches', headers: { authorization: 'Bearer not-the-token-at-all' } },
  { op: 'GET /admin/switches/{feature}', status: 200, path: '/admin/switches/recommendations', headers: AUTH },
  { op: 'GET /admin/switches/{feature}', status: 404, path: '/admin/switches/nope', headers: AUTH },
  { op: 'PUT /admin/switches/{feature}', status: 200, method: 'PUT', path: '/admin/switches/recommendations', headers: AUTH, body: { state: 'off' } },
  {
    op: 'GET /products/{id}/recommendations',
    status: 200,
    path: '/products/2/recommendations',
    after: (res) => expect(res.headers['x-degraded']).toBe('recommendations'),
  },
  { op: 'PUT /admin/switches/{feature}', status: 400, method: 'PUT', path: '/admin/switches/recommendations', headers: AUTH, body: { state: 'dim' } },
  { op: 'PUT /admin/switches/{feature}', status: 404, method: 'PUT', path: '/admin/switches/nope', headers: AUTH, body: { state: 'on' } },
  { op: 'DELETE /admin/switches/{feature}', status: 200, method: 'DELETE', path: '/admin/switches/recommendations', headers: AUTH },
  { op: 'DELETE /admin/switches/{feature}', status: 404, method: 'DELETE', path: '/admin/switches/nope', headers: AUTH },
  { op: 'GET /admin/breakers', status: 200, path: '/admin/breakers', headers: AUTH },
  { op: 'GET /admin/breakers/{name}', status: 200, path: '/admin/breakers/recommender', headers: AUTH },
  { op: 'GET /admin/breakers/{name}', status: 404, path: '/admin/breakers/nope', headers: AUTH },
  { op: 'PUT /admin/breakers/{name}', status: 200, method: 'PUT', path: '/admin/breakers/recommender', headers: AUTH, body: { state: 'auto' } },
  { op: 'PUT /admin/breakers/{name}', status: 400, method: 'PUT', path: '/admin/breakers/recommender', headers: AUTH, body: { state: 'ajar' } },
  { op: 'PUT /admin/breakers/{name}', status: 404, method: 'PUT', path: '/admin/breakers/nope', headers: AUTH, body: { state: 'open' } },
  { op: 'GET /admin/cache/hot-keys', status: 200, path: '/admin/cache/hot-keys?limit=5', headers: AUTH },
  { op: 'GET /admin/cache/hot-keys', status: 400, path: '/admin/cache/hot-keys?limit=0', headers: AUTH },
  { op: 'GET /admin/overload', status: 200, path: '/admin/overload', headers: AUTH },
  { op: 'PUT /admin/overload', status: 200, method: 'PUT', path: '/admin/overload', headers: AUTH, body: { enabled: false } },
  { op: 'PUT /admin/overload', status: 400, method: 'PUT', path: '/admin/overload', headers: AUTH, body: {} },
  { op: 'GET /admin/schedules', status: 200, path: '/admin/schedules', headers: AUTH },
  { op: 'GET /admin/schedules/{name}', status: 200, path: '/admin/schedules/cache-refresh-ahead', headers: AUTH },
  { op: 'GET /admin/schedules/{name}', status: 404, path: '/admin/schedules/nope', headers: AUTH },
  { op: 'PUT /admin/schedules/{name}', status: 200, method: 'PUT', path: '/admin/schedules/cache-refresh-ahead', headers: AUTH, body: { paused: false } },
  { op: 'PUT /admin/schedules/{name}', status: 400, method: 'PUT', path: '/admin/schedules/cache-refresh-ahead', headers: AUTH, body: { paused: 'yes' } },
  { op: 'PUT /admin/schedules/{name}', status: 404, method: 'PUT', path: '/admin/schedules/nope', headers: AUTH, body: { paused: true } },
  { op: 'GET /admin/dead-letters', status: 200, path: '/admin/dead-letters', headers: AUTH },
  { op: 'GET /admin/dead-letters/{queue}', status: 200, path: '/admin/dead-letters/products?limit=10', headers: AUTH },
  { op: 'GET /admin/dead-letters/{queue}', status: 400, path: '/admin/dead-letters/products?limit=0', headers: AUTH },
  { op: 'GET /admin/dead-letters/{queue}', status: 404, path: '/admin/dead-letters/nope', headers: AUTH },
  { op: 'GET /admin/dead-letters/{queue}/{jobId}', status: 200, path: (c) => `/admin/dead-letters/products/${c.deadLetters[0]}`, headers: AUTH },
  { op: 'GET /admin/dead-letters/{queue}/{jobId}', status: 404, path: '/admin/dead-letters/products/no-such-job', headers: AUTH },
  {
    op: 'POST /admin/dead-letters/{queue}/{jobId}/replay',
    status: 200,
    method: 'POST',
    path: (c) => `/admin/dead-letters/products/${c.deadLetters[0]}/replay`,
    headers: AUTH,
  },
  {
    op: 'POST /admin/dead-letters/{queue}/{jobId}/replay',
    status: 404,
    method: 'POST',
    path: '/admin/dead-letters/products/no-such-job/replay',
    headers: AUTH,
  },
  {
    op: 'DELETE /admin/dead-letters/{queue}/{jobId}',
    status: 204,
    method: 'DELETE',
    path: (c) => `/admin/dead-letters/products/${c.deadLetters[1]}`,
    headers: AUTH,
  },
  { op: 'DELETE /admin/dead-letters/{queue}/{jobId}', status: 404, method: 'DELETE', path: '/admin/dead-letters/products/no-such-job', headers: AUTH },
];

describe('the OpenAPI document is the contract of every route (e2e)', () => {
  let t: TestApp;
  let contract: OpenApiContract;
  const context: Context = { productId: 0, reviewId: 0, etag: '', version: 0, deadLetters: [] };

  beforeAll(async () => {
    t = await startTestApp({
      listen: true,
      env: {
        ADMIN_TOKEN: TOKEN,
        HTTP_BODY_LIMIT_BYTES: '65536',
        RECOMMENDER_URL: 'http://127.0.0.1:9',
        WRITE_BEHIND_FLUSH_INTERVAL_MS: '50',
        // On a busy machine shedding may switch recommendations to its fallback by itself: the steps set the switch themselves.
        DEGRADATION_SHEDDING_ENABLED: 'false',
      },
    });
    contract = new OpenApiContract((await httpRequest(t.url, { path: '/openapi.json' })).json<OpenApiDoc>());
    // Two dead letters for the replay and discard steps: rows PostgreSQL refuses (a CHECK the edge cannot know).
    await t.sql("ALTER TABLE products ADD CONSTRAINT contract_poison CHECK (name NOT LIKE 'POISON%')");
    for (const name of ['POISON 1', 'POISON 2']) {
      const res = await httpRequest(t.url, { method: 'POST', path: '/products', headers: JSON_BODY, body: JSON.stringify(productBody({ name })) });
      expect(res.statusCode).toBe(201);
    }
    await writesFlushed(t.app);
    await waitFor(
      async () => (await httpRequest(t.url, { path: '/admin/dead-letters', headers: AUTH })).json<Record<string, number>>()['products'] === 2,
      10_000,
      'two dead letters',
    );
    context.deadLetters = (await httpRequest(t.url, { path: '/admin/dead-letters/products', headers: AUTH }))
      .json<Array<{ jobId: string }>>()
      .map((l) => l.jobId);
  });
  afterAll(() => t?.close());

  it('every operation of the document is exercised: a good request each, and a bad one for each that takes input', () => {
    const good = new Set(STEPS.filter((s) => s.status < 400).map((s) => s.op));
    const bad = new Set(STEPS.filter((s) => s.status >= 400).map((s) => s.op));
    const operations = contract.operations();
    expect(operations.filter((op) => !good.has(op))).toEqual([]);
    expect(operations.filter((op) => contract.takesInput(op) && !bad.has(op))).toEqual([]);
    // And no step names an operation the document lacks.
    expect([...good, ...bad].filter((op) => !operations.includes(op))).toEqual([]);
  });

  it('every response matches the document: status, headers, body', async () => {
    const violations: string[] = [];
    for (const step of STEPS) {
      const path = typeof step.path === 'function' ? step.path(context) : step.path;
      const headers = typeof step.headers === 'function' ? step.headers(context) : (step.headers ?? {});
      const body = step.rawBody ?? (step.body === undefined ? undefined : JSON.stringify(step.body));
      const res = await httpRequest(t.url, {
        method: step.method ?? 'GET',
        path,
        headers: body === undefined ? headers : { ...JSON_BODY, ...headers },
        body,
      });
      const where = `${step.method ?? 'GET'} ${path}`;
      if (res.statusCode !== step.status) violations.push(`${where}: ${res.statusCode}, expected ${step.status}: ${res.body.slice(0, 200)}`);
      violations.push(...contract.check(step.op, res).map((v) => `${where} (${v})`));
      try {
        step.after?.(res, context);
      } catch (error) {
        violations.push(`${where}: ${(error as Error).message.split('\n').slice(0, 3).join(' ')}: ${res.body.slice(0, 200)}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
