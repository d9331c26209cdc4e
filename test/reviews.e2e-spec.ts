import { randomUUID } from 'node:crypto';
import { JobsRegistry } from '../src/jobs';
import { SharedIsolation } from './support/shared-isolation';
import { startTestApp, waitFor, type TestApp } from './support/test-app';
import { writesFlushed } from './support/write-behind';

/**
 * Product reviews on two pods (two apps on one schema and key prefix, as pods share PostgreSQL
 * and Redis), against real PostgreSQL and Redis: pages, the rating kept right under concurrent
 * writes on both pods, one review per author, deletes by the author, every bad input a clean 4xx
 * problem with nothing written, the moderation job, and the switch's fallback.
 */
const TOKEN = 'reviews-e2e-admin-token-0123';
const ADMIN = { authorization: `Bearer ${TOKEN}` };

interface ReviewBody {
  id: number;
  productId: number;
  authorId: string;
  rating: number;
  text: string;
}

describe('reviews (e2e)', () => {
  const shared = new SharedIsolation();
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    // Shedding off: on a busy machine it may switch the non-essential reviews to their fallback by itself.
    const env = shared.env({ ADMIN_TOKEN: TOKEN, DEGRADATION_SHEDDING_ENABLED: 'false', WRITE_BEHIND_FLUSH_INTERVAL_MS: '10' });
    a = await startTestApp({ env });
    b = await startTestApp({ env });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await shared.cleanup();
  });

  /** A review written as `author` (a fresh one by default; null: no header). */
  const post = (t: TestApp, productId: number | string, payload: unknown, author: string | null = randomUUID()) =>
    t.app.inject({
      method: 'POST',
      url: `/products/${productId}/reviews`,
      headers: author === null ? {} : { 'x-author-id': author },
      payload: payload as object,
    });
  const rating = async (t: TestApp, productId: number) =>
    (await t.app.inject({ method: 'GET', url: `/products/${productId}/rating` })).json<{ count: number; mean: number | null }>();
  const reviewCount = async () => Number((await shared.sql<{ count: string }>('SELECT count(*) FROM reviews'))[0].count);

  it('pages newest first with a keyset cursor; a page past the end is empty; a new review is in the next read, on either pod', async () => {
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const res = await post(a, 3, { rating: i, text: `review ${i}` });
      expect(res.statusCode).toBe(201);
      ids.push(res.json<ReviewBody>().id);
    }
    await writesFlushed(a.app);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/products/3/reviews?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await b.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const page = res.json<{ items: ReviewBody[]; nextCursor: string | null }>();
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());

    // Past the end: a cursor before the oldest review answers an empty page, not an error.
    const { nextCursor } = (await b.app.inject({ method: 'GET', url: '/products/3/reviews?limit=4' })).json<{ nextCursor: string }>();
    const last = await b.app.inject({ method: 'GET', url: `/products/3/reviews?limit=4&cursor=${nextCursor}` });
    expect(last.json<{ items: ReviewBody[] }>().items.map((r) => r.id)).toEqual([ids[0]]);
    const past = await b.app.inject({ method: 'GET', url: `/products/3/reviews?cursor=${Buffer.from(`r:${ids[0]}`).toString('base64url')}` });
    expect(past.statusCode).toBe(200);
    expect(past.json()).toEqual({ items: [], nextCursor: null });
    expect((await b.app.inject({ method: 'GET', url: '/products/4/reviews' })).json()).toEqual({ items: [], nextCursor: null });

    // The first page is cached on both pods; a review written on A is in it on B once landed.
    const before = (await b.app.inject({ method: 'GET', url: '/products/3/reviews?limit=2' })).json<{ items: ReviewBody[] }>();
    const added = (await post(a, 3, { rating: 4, text: 'a late one' })).json<ReviewBody>();
    await writesFlushed(a.app);
    const after = (await b.app.inject({ method: 'GET', url: '/products/3/reviews?limit=2' })).json<{ items: ReviewBody[] }>();
    expect(after.items.map((r) => r.id)).toEqual([added.id, before.items[0].id]);
  });

  it('keeps the rating right under concurrent review writes on two pods: landed in PostgreSQL, dropped from every cache', async () => {
    const product = 5;
    expect(await rating(a, product)).toEqual({ productId: product, count: 0, mean: null });
    expect(await rating(b, product)).toEqual({ productId: product, count: 0, mean: null });
    const ratings = Array.from({ length: 40 }, (_, i) => (i % 5) + 1);
    // Writes on both pods, and reads on both in between, which load and cache the aggregate before every write has landed.
    const reads: Array<Promise<unknown>> = [];
    await Promise.all(
      ratings.map(async (value, i) => {
        const res = await post(i % 2 === 0 ? a : b, product, { rating: value, text: `concurrent ${i}` });
        expect(res.statusCode).toBe(201);
        reads.push(rating(i % 2 === 0 ? b : a, product));
      }),
    );
    await Promise.all(reads);
    await writesFlushed(a.app);
    const [row] = await shared.sql<{ count: number; mean: number }>(
      'SELECT count(*)::int AS count, round(avg(rating), 2)::float8 AS mean FROM reviews WHERE product_id = $1',
      [product],
    );
    expect(row).toEqual({ count: 40, mean: 3 });
    // Every pod answers the landed aggregate (its L1 and L2 copies were dropped by the flush), not one cached mid-way.
    await waitFor(async () => (await rating(a, product)).count === 40 && (await rating(b, product)).count === 40, 2_000, 'both pods to answer 40');
    expect(await rating(a, product)).toEqual({ productId: product, count: 40, mean: 3 });
    expect(await rating(b, product)).toEqual({ productId: product, count: 40, mean: 3 });
    const cached = await b.app.inject({ method: 'GET', url: `/products/${product}/rating` });
    expect(cached.headers['x-cache']).toMatch(/^L[12]$/);
  });

  it('one review per author per product: 409 on a second, on either pod; after its deletion the author may review again', async () => {
    const author = randomUUID();
    const first = await post(a, 7, { rating: 5, text: 'first' }, author);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ productId: 7, authorId: author, rating: 5, text: 'first', version: 1 });
    for (const t of [a, b]) {
      const second = await post(t, 7, { rating: 1, text: 'second' }, author.toUpperCase());
      expect(second.statusCode).toBe(409);
      expect(second.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(second.json()).toMatchObject({ status: 409, code: 'E_DUPLICATE_REVIEW' });
    }
    expect((await post(a, 8, { rating: 2, text: 'another product' }, author)).statusCode).toBe(201);
    await writesFlushed(a.app);
    expect(await shared.sql('SELECT product_id, text FROM reviews WHERE author_id = $1 ORDER BY product_id', [author])).toEqual([
      { product_id: '7', text: 'first' },
      { product_id: '8', text: 'another product' },
    ]);

    const id = first.json<ReviewBody>().id;
    expect((await b.app.inject({ method: 'DELETE', url: `/products/7/reviews/${id}`, headers: { 'x-author-id': author } })).statusCode).toBe(204);
    expect((await post(b, 7, { rating: 3, text: 'again' }, author)).statusCode).toBe(201);
  });

  it('deletes by its author only: 403 for another, 404 on another product or once deleted; the rating follows', async () => {
    const author = randomUUID();
    const { id } = (await post(a, 9, { rating: 1, text: 'to delete' }, author)).json<ReviewBody>();
    await post(a, 9, { rating: 5, text: 'to keep' });
    await writesFlushed(a.app);
    expect(await rating(b, 9)).toEqual({ productId: 9, count: 2, mean: 3 });

    const other = await a.app.inject({ method: 'DELETE', url: `/products/9/reviews/${id}`, headers: { 'x-author-id': randomUUID() } });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ code: 'E_NOT_REVIEW_AUTHOR' });
    const wrongProduct = await a.app.inject({ method: 'DELETE', url: `/products/10/reviews/${id}`, headers: { 'x-author-id': author } });
    expect(wrongProduct.statusCode).toBe(404);

    expect((await a.app.inject({ method: 'DELETE', url: `/products/9/reviews/${id}`, headers: { 'x-author-id': author } })).statusCode).toBe(204);
    expect((await b.app.inject({ method: 'DELETE', url: `/products/9/reviews/${id}`, headers: { 'x-author-id': author } })).statusCode).toBe(404);
    await writesFlushed(a.app);
    expect(await shared.sql('SELECT id FROM reviews WHERE id = $1', [id])).toEqual([]);
    expect(await rating(b, 9)).toEqual({ productId: 9, count: 1, mean: 5 });
  });

  it('answers every bad input with a clean 4xx problem and writes nothing', async () => {
    await writesFlushed(a.app);
    const before = await reviewCount();
    const author = randomUUID();
    const cases: Array<{ name: string; send: () => ReturnType<TestApp['app']['inject']>; status: number; code: string }> = [
      { name: 'unknown product', send: () => post(a, 999_999, { rating: 5, text: 'ghost' }, author), status: 404, code: 'E_NOT_FOUND' },
      { name: 'bad product id', send: () => post(a, 'abc', { rating: 5, text: 'x' }, author), status: 400, code: 'E_VALIDATION' },
      { name: 'empty text', send: () => post(a, 11, { rating: 5, text: '' }, author), status: 400, code: 'E_VALIDATION' },
      { name: 'blank text', send: () => post(a, 11, { rating: 5, text: '  \n ' }, author), status: 400, code: 'E_VALIDATION' },
      { name: 'over-long text', send: () => post(a, 11, { rating: 5, text: 'x'.repeat(2001) }, author), status: 400, code: 'E_VALIDATION' },
      { name: 'rating 0', send: () => post(a, 11, { rating: 0, text: 'x' }, author), status: 400, code: 'E_VALIDATION' },
      { name: 'rating 6', send: () => post(a, 11, { rating: 6, text: 'x' }, author), status: 400, code: 'E_VALIDATION' },
      { name: 'rating 4.5', send: () => post(a, 11, { rating: 4.5, text: 'x' }, author), status: 400, code: 'E_VALIDATION' },
      { name: 'unknown field', send: () => post(a, 11, { rating: 4, text: 'x', stars: 4 }, author), status: 400, code: 'E_VALIDATION' },
      { name: 'no author', send: () => post(a, 11, { rating: 4, text: 'x' }, null), status: 400, code: 'E_VALIDATION' },
      { name: 'author not a UUID', send: () => post(a, 11, { rating: 4, text: 'x' }, 'alice'), status: 400, code: 'E_VALIDATION' },
      { name: 'reviews of an unknown product', send: () => a.app.inject({ method: 'GET', url: '/products/999999/reviews' }), status: 404, code: 'E_NOT_FOUND' },
      { name: 'rating of an unknown product', send: () => a.app.inject({ method: 'GET', url: '/products/999999/rating' }), status: 404, code: 'E_NOT_FOUND' },
      { name: 'bad limit', send: () => a.app.inject({ method: 'GET', url: '/products/11/reviews?limit=0' }), status: 400, code: 'E_VALIDATION' },
      { name: 'bad cursor', send: () => a.app.inject({ method: 'GET', url: '/products/11/reviews?cursor=nope' }), status: 400, code: 'E_VALIDATION' },
      {
        name: 'bad review id',
        send: () => a.app.inject({ method: 'DELETE', url: '/products/11/reviews/x', headers: { 'x-author-id': author } }),
        status: 400,
        code: 'E_VALIDATION',
      },
      {
        name: 'delete without author',
        send: () => a.app.inject({ method: 'DELETE', url: '/products/11/reviews/1' }),
        status: 400,
        code: 'E_VALIDATION',
      },
      {
        name: 'unknown review',
        send: () => a.app.inject({ method: 'DELETE', url: '/products/11/reviews/999999', headers: { 'x-author-id': author } }),
        status: 404,
        code: 'E_NOT_FOUND',
      },
    ];
    const results = [];
    for (const c of cases) {
      const res = await c.send();
      results.push({ name: c.name, status: res.statusCode, type: String(res.headers['content-type']).split(';')[0], code: res.json<{ code: string }>().code });
    }
    expect(results).toEqual(cases.map((c) => ({ name: c.name, status: c.status, type: 'application/problem+json', code: c.code })));
    const noAuthor = await post(a, 11, { rating: 4, text: 'x' }, 'alice');
    expect(noAuthor.json()).toMatchObject({ errors: [{ header: 'x-author-id' }] });
    await writesFlushed(a.app);
    expect(await reviewCount()).toBe(before);
    // Nothing was reserved either: the same author may still review product 11 once.
    expect((await post(a, 11, { rating: 4, text: 'now right' }, author)).statusCode).toBe(201);
  });

  it('a new review queues its moderation job, which runs', async () => {
    const { id } = (await post(a, 12, { rating: 4, text: 'moderate me' })).json<ReviewBody>();
    const entry = a.app.get(JobsRegistry).get('review-moderation')!;
    await waitFor(async () => (await entry.queue.getJobState(`review:${id}:v1`)) === 'completed', 10_000, 'the moderation job to complete');
  });

  it('behind the reviews switch: the rating answers its cached value only (503 when none), the other routes 503', async () => {
    await writesFlushed(a.app);
    const cachedRating = await rating(a, 9);
    const set = await a.app.inject({ method: 'PUT', url: '/admin/switches/reviews', headers: ADMIN, payload: { state: 'fallback' } });
    expect(set.statusCode).toBe(200);
    try {
      await waitFor(
        async () => (await b.app.inject({ method: 'GET', url: '/products/9/rating' })).headers['x-degraded'] === 'reviews',
        5_000,
        'the switch on the other pod',
      );
      for (const t of [a, b]) {
        const served = await t.app.inject({ method: 'GET', url: '/products/9/rating' });
        expect(served.statusCode).toBe(200);
        expect(served.headers['x-degraded']).toBe('reviews');
        expect(served.json()).toEqual(cachedRating);
      }
      const notCached = await a.app.inject({ method: 'GET', url: '/products/13/rating' });
      expect(notCached.statusCode).toBe(503);
      expect(notCached.json()).toMatchObject({ code: 'E_FEATURE_DISABLED' });
      expect(notCached.headers['retry-after']).toBeDefined();
      expect((await a.app.inject({ method: 'GET', url: '/products/13/reviews' })).statusCode).toBe(503);
      const before = await reviewCount();
      expect((await post(a, 13, { rating: 3, text: 'while off' })).statusCode).toBe(503);
      await writesFlushed(a.app);
      expect(await reviewCount()).toBe(before);
    } finally {
      await a.app.inject({ method: 'DELETE', url: '/admin/switches/reviews', headers: ADMIN });
    }
    await waitFor(async () => (await b.app.inject({ method: 'GET', url: '/products/13/rating' })).statusCode === 200, 5_000, 'the switch back on');
  });
});
