import { ProductWriteRepository } from '../../src/features/catalog/product-write.repository';
import type { ProductState } from '../../src/features/catalog/product.types';
import { bisectFlush } from '../../src/write-behind/bisect-flush';
import type { WriteOp } from '../../src/write-behind/write-behind.types';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The catalog's flush (`ProductWriteRepository.flush`) on the real
 * PostgreSQL, called as the worker calls it: batches of at most one op per
 * row, versions that may arrive late, twice, or after a delete. Whether a row
 * was rewritten at all is read from its `xmin` (the transaction that wrote the
 * tuple): a guard that let an equal or older version through would rewrite
 * the row even with the same values. The app runs as APP_ROLE=api: no worker
 * of its own flushes anything meanwhile.
 */
jest.setTimeout(30_000);

const CREATED = '2026-01-01T00:00:00.000Z';

let t: TestApp;
let repo: ProductWriteRepository;

beforeAll(async () => {
  t = await startTestApp({ env: { APP_ROLE: 'api' } });
  repo = t.app.get(ProductWriteRepository, { strict: false });
});
afterAll(() => t?.close());

/** New ids from the table's sequence: no test touches another's rows. */
const newIds = (count: number) => repo.reserveIds(count);

function upsert(id: number, version: number, name: string, sku = `FLUSH-${id}`): WriteOp<ProductState> {
  const state: ProductState = {
    sku,
    name,
    description: '',
    priceMinor: 100 * version,
    currency: 'EUR',
    stock: version,
    tags: [`v${version}`],
    updatedAt: new Date().toISOString(),
  };
  return { kind: 'upsert', id, version, meta: CREATED, state };
}
const remove = (id: number, version: number): WriteOp<ProductState> => ({ kind: 'delete', id, version });

interface Row {
  id: number;
  name: string;
  version: number;
  sku: string;
  xmin: string;
}
/** The rows of `ids` in id order, with the transaction that last wrote each. */
async function rows(ids: readonly number[]): Promise<Row[]> {
  return t.sql<Row>('SELECT id::int, name, version, sku, xmin::text FROM products WHERE id = ANY($1) ORDER BY id', [ids]);
}
async function tombstones(ids: readonly number[]): Promise<Array<{ id: number; version: number }>> {
  return t.sql('SELECT id::int, version FROM product_tombstones WHERE id = ANY($1) ORDER BY id', [ids]);
}
const summary = (found: Row[]) => found.map(({ id, name, version }) => ({ id, name, version }));

describe('ProductWriteRepository.flush on PostgreSQL', () => {
  it('in one batch each row takes its op only over an older version: newer ones land, equal and older ones leave the row untouched', async () => {
    const [a, b, c, d] = await newIds(4);
    await repo.flush([upsert(a, 2, 'a2'), upsert(b, 2, 'b2'), upsert(c, 2, 'c2')]);
    const before = await rows([a, b, c]);

    await repo.flush([upsert(a, 3, 'a3'), upsert(b, 2, 'b2 again, other values'), upsert(c, 1, 'c1'), upsert(d, 1, 'd1')]);

    const after = await rows([a, b, c, d]);
    expect(summary(after)).toEqual([
      { id: a, name: 'a3', version: 3 },
      { id: b, name: 'b2', version: 2 },
      { id: c, name: 'c2', version: 2 },
      { id: d, name: 'd1', version: 1 },
    ]);
    expect(after[1].xmin).toBe(before[1].xmin);
    expect(after[2].xmin).toBe(before[2].xmin);
  });

  it('batches arriving out of order: the newest version stays, whichever batch lands last', async () => {
    const [a, b] = await newIds(2);
    await repo.flush([upsert(a, 3, 'a3'), upsert(b, 1, 'b1')]);
    await repo.flush([upsert(a, 2, 'a2'), upsert(b, 4, 'b4')]);
    await repo.flush([upsert(a, 1, 'a1'), upsert(b, 2, 'b2')]);

    expect(summary(await rows([a, b]))).toEqual([
      { id: a, name: 'a3', version: 3 },
      { id: b, name: 'b4', version: 4 },
    ]);
  });

  it('a replayed batch (a stalled job run again) changes nothing: no row rewritten, no tombstone lowered', async () => {
    const [a, b, c] = await newIds(3);
    await repo.flush([upsert(c, 1, 'c1')]);
    const batch = [upsert(a, 1, 'a1'), upsert(b, 2, 'b2'), remove(c, 2)];
    await repo.flush(batch);
    const [rowsBefore, tombstonesBefore] = [await rows([a, b, c]), await tombstones([a, b, c])];
    expect(summary(rowsBefore)).toEqual([
      { id: a, name: 'a1', version: 1 },
      { id: b, name: 'b2', version: 2 },
    ]);
    expect(tombstonesBefore).toEqual([{ id: c, version: 2 }]);

    await repo.flush(batch);
    await repo.flush([remove(c, 1)]); // an even older delete, late

    expect(await rows([a, b, c])).toEqual(rowsBefore);
    expect(await tombstones([a, b, c])).toEqual(tombstonesBefore);
  });

  it('a delete leaves a tombstone: an upsert at its version or older, landing later, does not bring the row back, also for a row deleted before it ever landed', async () => {
    const [landed, neverLanded] = await newIds(2);
    await repo.flush([upsert(landed, 1, 'landed')]);

    await repo.flush([remove(landed, 2), remove(neverLanded, 2)]);
    expect(await rows([landed, neverLanded])).toEqual([]);
    expect(await tombstones([landed, neverLanded])).toEqual([
      { id: landed, version: 2 },
      { id: neverLanded, version: 2 },
    ]);

    await repo.flush([upsert(landed, 1, 'replayed'), upsert(neverLanded, 1, 'late create')]);
    expect(await rows([landed, neverLanded])).toEqual([]);
    // Not even at the tombstone's own version.
    await repo.flush([upsert(landed, 2, 'same version as the delete')]);
    expect(await rows([landed])).toEqual([]);
  });

  it('a delete is version-guarded too: it removes the row only below its own version', async () => {
    const [id] = await newIds(1);
    await repo.flush([upsert(id, 3, 'v3')]);

    await repo.flush([remove(id, 3)]);

    expect(summary(await rows([id]))).toEqual([{ id, name: 'v3', version: 3 }]);
  });
});

describe('bisectFlush with the catalog flush: a unique violation (23505) in a batch', () => {
  it('is split out: the row fails alone with 23505, its seven neighbours land, in 1 + 2·log2(8) = 7 statements', async () => {
    const [owner, ...batchIds] = await newIds(9);
    await repo.flush([upsert(owner, 1, 'owner', 'FLUSH-TAKEN')]);
    const ops = batchIds.map((id, i) => upsert(id, 1, `neighbour ${i}`, i === 5 ? 'FLUSH-TAKEN' : undefined));
    const flush = jest.fn((part: readonly WriteOp<ProductState>[]) => repo.flush(part));

    const { failed, calls } = await bisectFlush(ops, flush);

    expect([...failed.keys()]).toEqual([ops[5]]);
    expect(failed.get(ops[5])).toMatchObject({ code: '23505', constraint: 'products_sku_key' });
    expect(calls).toBe(7);
    expect(flush).toHaveBeenCalledTimes(7);
    const landed = await rows(batchIds);
    expect(landed.map((row) => row.id)).toEqual(batchIds.filter((_, i) => i !== 5));
    expect(await rows([owner])).toMatchObject([{ name: 'owner', sku: 'FLUSH-TAKEN' }]);
  });
});
