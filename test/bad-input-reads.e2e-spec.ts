import { expectRejected, expectStillServing } from './support/problem-expectations';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Bad ids and queries on the read endpoints: each gets a 400 problem that
 * names the parameter, leaks nothing, writes nothing, and leaves the app serving.
 * The same ids on PUT and DELETE are in `bad-input-writes.e2e-spec.ts`.
 */
describe('bad input: reads (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const invalid = { status: 400, code: 'E_VALIDATION' };

  describe('GET /products/:id', () => {
    it.each([
      ['abc', 'non-numeric'],
      ['-1', 'negative'],
      ['0', 'zero'],
      ['1.5', 'decimal'],
      ['99999999999999999999', 'beyond bigint'],
      ['9007199254740993', 'above 2^53 - 1, within bigint'],
      ['9007199254740992', '2^53, the first unsafe integer'],
      ['01', 'leading zero'],
      ['1e3', 'exponent'],
    ])('rejects id %s (%s) with 400 naming `id`', async (id) => {
      await expectRejected(t, { method: 'GET', url: `/products/${id}` }, { ...invalid, errors: [{ parameter: 'id' }] });
    });

    it('accepts 2^53 - 1, the largest id, as a well-formed id that does not exist (404)', async () => {
      await expectRejected(t, { method: 'GET', url: '/products/9007199254740991' }, { status: 404, code: 'E_NOT_FOUND' });
    });
  });

  describe('GET /products', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(',');

    it.each([
      ['an empty ids list', 'ids', '?ids='],
      ['an empty element in ids', 'ids', '?ids=1,,2'],
      ['101 ids', 'ids', `?ids=${ids(101)}`],
      ['ids given twice', 'ids', '?ids=1&ids=2'],
      ['a non-numeric id in the list', 'ids', '?ids=1,abc'],
      ['an unsafe integer in the list', 'ids', '?ids=1,9007199254740993'],
      ['ids combined with limit', 'ids', '?ids=1&limit=5'],
      ['ids combined with cursor', 'ids', '?ids=1&cursor=cDox'],
      ['limit=0', 'limit', '?limit=0'],
      ['limit=101', 'limit', '?limit=101'],
      ['limit=abc', 'limit', '?limit=abc'],
      ['limit=-1', 'limit', '?limit=-1'],
      ['limit given twice', 'limit', '?limit=1&limit=2'],
      ['a cursor this API never issued', 'cursor', '?cursor=garbage'],
      ['a forged cursor at id 0', 'cursor', `?cursor=${Buffer.from('p:0').toString('base64url')}`],
      ['an unknown parameter', 'foo', '?foo=1'],
    ])('rejects %s with 400 naming `%s`', async (_what, parameter, query) => {
      await expectRejected(t, { method: 'GET', url: `/products${query}` }, { ...invalid, errors: [{ parameter }] });
    });

    it('reports every unknown parameter on its own, __proto__ included', async () => {
      await expectRejected(
        t,
        { method: 'GET', url: '/products?foo=1&__proto__=2&limit=5' },
        { ...invalid, errors: [{ parameter: 'foo' }, { parameter: '__proto__' }] },
      );
    });

    it('accepts exactly 100 ids: found ones in order, the rest missing', async () => {
      const res = await t.app.inject({ method: 'GET', url: `/products?ids=${ids(100)}` });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ items: { id: number }[]; missing: number[] }>();
      expect(body.items.map((p) => p.id)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(body.missing).toEqual(Array.from({ length: 75 }, (_, i) => i + 26));
    });

    it.each([
      ['ids=1,1,1', [1]],
      ['ids=2,%201%20,2', [2, 1]],
      ['ids=1%2C3', [1, 3]],
    ])('folds duplicates and blanks around ids: %s → %j', async (query, expected) => {
      const res = await t.app.inject({ method: 'GET', url: `/products?${query}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ items: expected.map((id) => expect.objectContaining({ id })), missing: [] });
    });

    it.each([
      [1, 1],
      [100, 25],
    ])('accepts the limit boundary %i (%i items)', async (limit, count) => {
      const res = await t.app.inject({ method: 'GET', url: `/products?limit=${limit}` });
      expect(res.statusCode).toBe(200);
      expect(res.json<{ items: unknown[] }>().items).toHaveLength(count);
    });
  });

  it('keeps serving after a burst of bad reads', async () => {
    const urls = ['/products/abc', '/products/-1', '/products?ids=', '/products?limit=0', '/products?cursor=x'];
    const statuses = await Promise.all(Array.from({ length: 50 }, (_, i) => t.app.inject({ method: 'GET', url: urls[i % urls.length] })));
    expect(new Set(statuses.map((r) => r.statusCode))).toEqual(new Set([400]));
    await expectStillServing(t);
  });

  /** Fastify rejects these before any route or Nest filter runs (its `frameworkErrors` hook). */
  describe('errors raised by Fastify itself', () => {
    it.each([
      ['a malformed percent-encoding', '/products/%ZZ'],
      ['a path parameter over 100 characters', `/products/${'1'.repeat(101)}`],
    ])('%s is answered as a problem with a request id', async (_what, url) => {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
    });
  });
});
