import { PgStatementTap } from '../support/pg-statement-tap';
import { startTestApp, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';

jest.setTimeout(120_000);

const KEYS = 1000;
const WRITES = 10_000;
const CLIENTS = 64;

/**
 * 10,000 PUTs over 1,000 products from 64 concurrent clients: PostgreSQL ends
 * with exactly the last acknowledged version and state of each product, and
 * the statements that reach it (counted on the wire) are far fewer than the
 * writes: writes to a row coalesce while its job waits (exactly counted with
 * the worker held back), and each flush is one multi-row upsert.
 */
describe('write-behind: coalescing and batching (e2e)', () => {
  let tap: PgStatementTap;
  let t: TestApp;

  beforeAll(async () => {
    tap = await PgStatementTap.start();
    t = await startTestApp({ env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${tap.port}/test`, CATALOG_SEED_COUNT: String(KEYS) } });
  });
  afterAll(async () => {
    await t?.close();
    await tap?.close();
  });

  /** 10,000 PUTs from 64 clients, write i to key (i % 1000) + 1 with stock = i; returns the last acknowledged write of each key. */
  const writeAll = async () => {
    const acked = new Map<number, { version: number; stock: number }>();
    let next = 0;
    const client = async () => {
      while (next < WRITES) {
        const i = next++;
        const id = (i % KEYS) + 1;
        const res = await t.app.inject({
          method: 'PUT',
          url: `/products/${id}`,
          payload: { sku: `DEMO-${String(id).padStart(7, '0')}`, name: `Product ${id}`, priceMinor: 100 + i, currency: 'EUR', stock: i },
        });
        expect(res.statusCode).toBe(200);
        const { version, stock } = res.json<{ version: number; stock: number }>();
        if ((acked.get(id)?.version ?? 0) < version) acked.set(id, { version, stock });
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    return acked;
  };
  const rowsLanded = () => t.sql<{ id: string; version: number; stock: number }>('SELECT id, version, stock FROM products ORDER BY id');
  const lastOf = (acked: Map<number, { version: number; stock: number }>) =>
    [...acked.entries()].sort(([a], [b]) => a - b).map(([id, last]) => ({ id, ...last }));
  const feature = () => t.app.get(WriteBehindRegistry).get('products')!;

  it('while the worker is behind (its queue paused), every write of a row joins its waiting job: 1,000 rows flushed for 10,000 writes', async () => {
    const before = await feature().snapshot();
    await feature().queue.pause();
    const acked = await writeAll();
    const during = await feature().snapshot();
    // Each key's first write adds (or shares) a job; its 9 later writes coalesce into it.
    expect(during.enqueued - before.enqueued).toBe(KEYS);
    expect(during.coalesced - before.coalesced).toBe(WRITES - KEYS);
    expect(during.pendingRows).toBe(KEYS);
    await feature().queue.resume();
    await writesFlushed(t.app, 30_000);

    const after = await feature().snapshot();
    expect(after.flushedRows - before.flushedRows).toBe(KEYS);
    const rows = await rowsLanded();
    expect(rows.every((row) => row.version === 11)).toBe(true);
    expect(rows.map((row) => ({ id: Number(row.id), version: row.version, stock: row.stock }))).toEqual(lastOf(acked));
  });

  it('10,000 more writes with the worker flushing meanwhile: PostgreSQL holds the last version of each, in far fewer than 10,000 statements', async () => {
    const before = tap.statements.length;
    const acked = await writeAll();
    await writesFlushed(t.app, 30_000);

    const rows = await rowsLanded();
    expect(rows).toHaveLength(KEYS);
    // Every key was written 10 more times.
    expect(rows.every((row) => row.version === 21)).toBe(true);
    expect(rows.map((row) => ({ id: Number(row.id), version: row.version, stock: row.stock }))).toEqual(lastOf(acked));

    const statements = tap.statements.slice(before);
    const upserts = statements.filter((s) => s.sql.includes('INSERT INTO products') && s.sql.includes('ON CONFLICT (id)'));
    const stats = await feature().snapshot();
    // Printed for BENCHMARKS.md-style reading of a run; the assertions follow. Writes coalesce here
    // only when a row is written again while its job still waits, i.e. when the worker is behind.
    console.log(
      `10000 writes -> ${statements.length} statements (${upserts.length} upserts), ${stats.flushedRows} rows flushed in all, ${stats.coalesced} writes coalesced in all, batch max ${stats.batchSizeMax}`,
    );
    expect(upserts.length).toBeGreaterThan(0);
    expect(statements.length).toBeLessThan(WRITES / 10);
  });
});
