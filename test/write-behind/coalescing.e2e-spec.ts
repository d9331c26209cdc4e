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
 * writes: writes to a row coalesce while its job waits, and each flush is one
 * multi-row upsert.
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

  it('10,000 writes over 1,000 keys: PostgreSQL holds the last version of each, in far fewer than 10,000 statements', async () => {
    const before = tap.statements.length;
    // Write i goes to key (i % 1000) + 1 and sets stock = i: the last write of each key is known.
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
    await writesFlushed(t.app, 30_000);

    const rows = await t.sql<{ id: string; version: number; stock: number }>('SELECT id, version, stock FROM products ORDER BY id');
    expect(rows).toHaveLength(KEYS);
    // Every key was written 10 times after its seed version 1.
    expect(rows.every((row) => row.version === 11)).toBe(true);
    expect(rows.map((row) => ({ id: Number(row.id), version: row.version, stock: row.stock }))).toEqual(
      [...acked.entries()].sort(([a], [b]) => a - b).map(([id, last]) => ({ id, ...last })),
    );

    const statements = tap.statements.slice(before);
    const upserts = statements.filter((s) => s.sql.includes('INSERT INTO products') && s.sql.includes('ON CONFLICT (id)'));
    const stats = await t.app.get(WriteBehindRegistry).get('products')!.snapshot();
    // Printed for BENCHMARKS.md-style reading of a run; the assertions follow.
    console.log(
      `10000 writes -> ${statements.length} statements (${upserts.length} upserts), ${stats.flushedRows} rows flushed, ${stats.coalesced} writes coalesced, batch max ${stats.batchSizeMax}`,
    );
    expect(upserts.length).toBeGreaterThan(0);
    expect(statements.length).toBeLessThan(WRITES / 10);
    expect(stats.coalesced).toBeGreaterThan(0);
    expect(stats.flushedRows).toBeLessThan(WRITES);
  });
});
