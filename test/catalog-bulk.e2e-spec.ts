import type { Product } from '../src/features/catalog';
import { WriteBehindRegistry } from '../src/write-behind/write-behind.registry';
import { productBody } from './support/problem-expectations';
import { SharedIsolation } from './support/shared-isolation';
import { startTestApp, type TestApp } from './support/test-app';
import { writesFlushed } from './support/write-behind';

jest.setTimeout(60_000);

const KEYS = 40;
const sku = (id: number) => `DEMO-${String(id).padStart(7, '0')}`;

interface Item {
  readonly status: number;
  readonly product?: Product;
  readonly id?: number;
  readonly version?: number;
  readonly problem?: { readonly status: number; readonly code: string; readonly detail: string };
}

/**
 * `POST /products/bulk` against the real Redis and PostgreSQL: per-item outcomes in request
 * order, one group commit for the request, `atomic=true` all or nothing, the limits as problems,
 * and everything acknowledged in PostgreSQL once a worker has flushed it.
 */
describe('POST /products/bulk (e2e)', () => {
  const shared = new SharedIsolation();
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: shared.env({ APP_ROLE: 'all', CATALOG_SEED_COUNT: String(KEYS), CATALOG_BULK_MAX_ITEMS: '50' }) });
  });
  afterAll(async () => {
    await t?.close();
    await shared.cleanup();
  });

  const bulk = (items: unknown, query = '') => t.app.inject({ method: 'POST', url: `/products/bulk${query}`, payload: { items } });
  const read = async (id: number) => t.app.inject({ method: 'GET', url: `/products/${id}` });
  const versionOf = async (id: number) => (await read(id)).json<Product>().version;
  const snapshot = () => t.app.get(WriteBehindRegistry).get('products')!.snapshot();

  it('answers each item as its single write would, in request order, in one group commit; bad items do not stop good ones', async () => {
    const [v1, v2, v3] = [await versionOf(1), await versionOf(2), await versionOf(3)];
    const before = await snapshot();
    const res = await bulk([
      { op: 'create', product: productBody({ sku: 'BULK-NEW-1', stock: 5 }) },
      { op: 'replace', id: 1, version: v1, product: productBody({ sku: sku(1), stock: 11 }) },
      { op: 'replace', id: 2, version: v2 + 5, product: productBody({ sku: sku(2) }) }, // stale
      { op: 'create', product: productBody({ sku: sku(3) }) }, // duplicate SKU
      { op: 'replace', id: 999_999, product: productBody({ sku: 'BULK-NOBODY' }) }, // unknown
      { op: 'delete', id: 3, version: v3 },
      // The same row twice: the second checks against the first.
      { op: 'replace', id: 4, product: productBody({ sku: sku(4), stock: 1 }) },
      { op: 'replace', id: 4, version: 2, product: productBody({ sku: sku(4), stock: 2 }) },
    ]);

    expect(res.statusCode).toBe(200);
    const items = res.json<{ items: Item[] }>().items;
    expect(items.map((item) => [item.status, item.problem?.code])).toEqual([
      [201, undefined],
      [200, undefined],
      [409, 'E_VERSION_CONFLICT'],
      [409, 'E_DUPLICATE_SKU'],
      [404, 'E_NOT_FOUND'],
      [204, undefined],
      [200, undefined],
      [200, undefined],
    ]);
    expect(items[2].problem).toMatchObject({ status: 409, detail: expect.stringContaining(`is at version ${v2}`) });
    expect(items[0].product).toMatchObject({ sku: 'BULK-NEW-1', stock: 5, version: 1 });
    expect(items[1].product).toMatchObject({ id: 1, stock: 11, version: v1 + 1 });
    expect(items[5]).toEqual({ status: 204, id: 3, version: v3 + 1 });
    expect([items[6].product?.version, items[7].product?.version]).toEqual([2, 3]);
    const after = await snapshot();
    expect(after.groups - before.groups).toBe(1);
    expect(after.groupedWrites - before.groupedWrites).toBe(8);

    // Read at once (the cache was updated in one go), and landed after the flush.
    expect((await read(items[0].product!.id)).json<Product>()).toMatchObject({ sku: 'BULK-NEW-1', version: 1 });
    expect((await read(1)).json<Product>()).toMatchObject({ stock: 11, version: v1 + 1 });
    expect((await read(3)).statusCode).toBe(404);
    expect((await read(4)).json<Product>()).toMatchObject({ stock: 2, version: 3 });
    await writesFlushed(t.app, 20_000);
    const rows = await shared.sql<{ id: string; version: number; stock: number }>(
      'SELECT id, version, stock FROM products WHERE id IN (1, 3, 4, $1) ORDER BY id',
      [items[0].product!.id],
    );
    expect(rows.map((row) => [Number(row.id), row.version, row.stock])).toEqual([
      [1, v1 + 1, 11],
      [4, 3, 2],
      [items[0].product!.id, 1, 5],
    ]);
  });

  it('atomic=true: one refused item refuses the request with 409 E_BULK_REFUSED naming it, and nothing is written', async () => {
    const [v5, v6] = [await versionOf(5), await versionOf(6)];
    const res = await bulk(
      [
        { op: 'replace', id: 5, version: v5, product: productBody({ sku: sku(5), stock: 99 }) },
        { op: 'create', product: productBody({ sku: 'BULK-ATOMIC-1' }) },
        { op: 'replace', id: 6, version: v6 + 1, product: productBody({ sku: sku(6) }) }, // stale
        { op: 'delete', id: 7 },
      ],
      '?atomic=true',
    );

    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'E_BULK_REFUSED',
      errors: [{ pointer: '#/items/2', code: 'E_VERSION_CONFLICT', detail: expect.stringContaining(`is at version ${v6}`) }],
    });
    // Nothing kept: the versions stand, row 7 is there, and the SKU of the refused create is free.
    expect(await versionOf(5)).toBe(v5);
    expect(await versionOf(6)).toBe(v6);
    expect((await read(7)).statusCode).toBe(200);
    const again = await bulk(
      [
        { op: 'replace', id: 5, version: v5, product: productBody({ sku: sku(5), stock: 99 }) },
        { op: 'create', product: productBody({ sku: 'BULK-ATOMIC-1' }) },
        { op: 'replace', id: 6, version: v6, product: productBody({ sku: sku(6), stock: 66 }) },
        { op: 'delete', id: 7 },
      ],
      '?atomic=true',
    );
    expect(again.statusCode).toBe(200);
    expect(again.json<{ items: Item[] }>().items.map((item) => item.status)).toEqual([200, 201, 200, 204]);
    expect(await versionOf(5)).toBe(v5 + 1);
    expect((await read(7)).statusCode).toBe(404);
  });

  it('refuses what it cannot take with a 400 problem naming the place, and writes nothing', async () => {
    const v8 = await versionOf(8);
    const cases: Array<[unknown, string, string]> = [
      [[], '', '#/items'],
      [Array.from({ length: 51 }, () => ({ op: 'delete', id: 8 })), '', '#/items'],
      [[{ op: 'upsert', id: 8 }], '', '#/items/0/op'],
      [[{ op: 'delete', id: 8, colour: 'red' }], '', '#/items/0/colour'],
      [[{ op: 'delete', id: 0 }], '', '#/items/0/id'],
      [[{ op: 'replace', id: 8, product: productBody({ priceMinor: -1 }) }], '', '#/items/0/product/priceMinor'],
      [[{ op: 'delete', id: 8 }], '?atomic=yes', ''],
    ];
    for (const [items, query, pointer] of cases) {
      const res = await bulk(items, query);
      expect({ status: res.statusCode, code: res.json<{ code: string }>().code }).toEqual({ status: 400, code: 'E_VALIDATION' });
      const errors = res.json<{ errors: Array<{ pointer?: string; parameter?: string }> }>().errors;
      if (pointer) expect(errors.map((e) => e.pointer)).toContain(pointer);
      else expect(errors.map((e) => e.parameter)).toContain('atomic');
    }
    const notAnArray = await t.app.inject({ method: 'POST', url: '/products/bulk', payload: { items: 'all of them' } });
    expect(notAnArray.statusCode).toBe(400);
    expect(await versionOf(8)).toBe(v8);
  });
});
