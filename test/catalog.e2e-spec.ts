import { startTestApp, type TestApp } from './support/test-app';
import { writesFlushed } from './support/write-behind';

/** The catalog's endpoints against real PostgreSQL: the behaviour a client relies on. */
describe('catalog (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const newProduct = (sku: string) => ({ sku, name: 'Teapot', priceMinor: 2599, currency: 'EUR', stock: 3, tags: ['kitchen'] });

  it('seeds demo products on first start, ids from 1', async () => {
    const [{ count }] = await t.sql<{ count: string }>('SELECT count(*) FROM products');
    expect(Number(count)).toBe(25);
    const res = await t.app.inject({ method: 'GET', url: '/products/1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({ id: 1, sku: 'DEMO-0000001', currency: 'EUR', version: 1 });
  });

  it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
    const kept = await t.app.inject({ method: 'GET', url: '/products/1', headers: { 'x-request-id': 'gateway-42' } });
    expect(kept.headers['x-request-id']).toBe('gateway-42');
    const replaced = await t.app.inject({ method: 'GET', url: '/products/1', headers: { 'x-request-id': 'bad id\nwith newline' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 404 as a problem for an id that does not exist', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/products/999999' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, code: 'E_NOT_FOUND', instance: '/products/999999' });
  });

  it('batch lookup keeps request order, folds duplicates and reports missing ids in one query', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/products?ids=3,1,3,999999,2' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ items: { id: number }[]; missing: number[] }>();
    expect(body.items.map((p) => p.id)).toEqual([3, 1, 2]);
    expect(body.missing).toEqual([999999]);
  });

  it('pages through the catalog with a keyset cursor and never returns all rows at once', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/products?limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ items: { id: number }[]; nextCursor: string | null }>();
      expect(body.items.length).toBeLessThanOrEqual(10);
      seen.push(...body.items.map((p) => p.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));

    const unbounded = await t.app.inject({ method: 'GET', url: '/products' });
    expect(unbounded.json<{ items: unknown[] }>().items).toHaveLength(20);
  });

  it('creates a product: 201, Location, ETag, and the row in PostgreSQL', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/products', payload: newProduct('TEA-1') });
    expect(res.statusCode).toBe(201);
    const created = res.json<{ id: number; version: number; description: string }>();
    expect(res.headers.location).toBe(`/products/${created.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(created.description).toBe('');
    await writesFlushed(t.app);
    const rows = await t.sql('SELECT sku, price_minor, tags FROM products WHERE id = $1', [created.id]);
    expect(rows).toEqual([{ sku: 'TEA-1', price_minor: '2599', tags: ['kitchen'] }]);
  });

  it('rejects a duplicate SKU with 409 and writes nothing', async () => {
    await t.app.inject({ method: 'POST', url: '/products', payload: newProduct('TEA-DUP') });
    const res = await t.app.inject({ method: 'POST', url: '/products', payload: newProduct('TEA-DUP') });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'E_DUPLICATE_SKU' });
    await writesFlushed(t.app);
    const rows = await t.sql("SELECT id FROM products WHERE sku = 'TEA-DUP'");
    expect(rows).toHaveLength(1);
  });

  it('replaces with If-Match: bumps the version, and answers 409 to a stale version', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/products', payload: newProduct('TEA-PUT') })).json<{ id: number }>();
    const url = `/products/${created.id}`;
    const first = await t.app.inject({ method: 'PUT', url, headers: { 'if-match': '"1"' }, payload: { ...newProduct('TEA-PUT'), priceMinor: 2999 } });
    expect(first.statusCode).toBe(200);
    expect(first.headers.etag).toBe('"2"');
    expect(first.json()).toMatchObject({ version: 2, priceMinor: 2999 });

    const stale = await t.app.inject({ method: 'PUT', url, headers: { 'if-match': '"1"' }, payload: { ...newProduct('TEA-PUT'), priceMinor: 1 } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'E_VERSION_CONFLICT' });
    await writesFlushed(t.app);
    const [row] = await t.sql<{ price_minor: string; version: number }>('SELECT price_minor, version FROM products WHERE id = $1', [created.id]);
    expect(row).toEqual({ price_minor: '2999', version: 2 });

    const byBody = await t.app.inject({ method: 'PUT', url, payload: { ...newProduct('TEA-PUT'), version: 2, stock: 9 } });
    expect(byBody.statusCode).toBe(200);
    expect(byBody.json()).toMatchObject({ version: 3, stock: 9 });
  });

  it('answers 404 to PUT and DELETE of a product that does not exist', async () => {
    expect((await t.app.inject({ method: 'PUT', url: '/products/888888', payload: newProduct('GHOST') })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: '/products/888888' })).statusCode).toBe(404);
  });

  it('deletes: 204, then 404; a stale If-Match deletes nothing', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/products', payload: newProduct('TEA-DEL') })).json<{ id: number }>();
    const url = `/products/${created.id}`;
    const stale = await t.app.inject({ method: 'DELETE', url, headers: { 'if-match': '"7"' } });
    expect(stale.statusCode).toBe(409);
    await writesFlushed(t.app);
    expect(await t.sql('SELECT id FROM products WHERE id = $1', [created.id])).toHaveLength(1);
    expect((await t.app.inject({ method: 'DELETE', url, headers: { 'if-match': '"1"' } })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    await writesFlushed(t.app);
    expect(await t.sql('SELECT id FROM products WHERE id = $1', [created.id])).toEqual([]);
    expect(await t.sql('SELECT version FROM product_tombstones WHERE id = $1', [created.id])).toEqual([{ version: 2 }]);
  });
});
