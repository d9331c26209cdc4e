import { Injectable, Optional } from '@nestjs/common';
import { DatabaseService } from '../../database';
import type { RowState, WriteBehindStore, WriteOp, WriteOutcome, WriteRequest } from '../../write-behind';
import { CacheService } from '../../cache';
import { CatalogSeeder } from './catalog.seeder';
import { productKey } from './product.cache';
import type { ProductState } from './product.types';

const RECORD = `id bigint, sku text, name text, description text, price_minor bigint, currency text, stock integer, tags text[],
  version integer, created_at timestamptz, updated_at timestamptz`;

/**
 * The catalog's write SQL, as the write-behind kit calls it: batched,
 * idempotent, version-guarded upserts and versioned deletes, the row states
 * the edge checks need, ids from the table's sequence, and the synchronous
 * writes of `WRITE_BEHIND_REDIS_DOWN_MODE=sync`.
 */
@Injectable()
export class ProductWriteRepository implements WriteBehindStore<ProductState> {
  constructor(
    private readonly db: DatabaseService,
    private readonly cache: CacheService,
    @Optional() private readonly seeder?: CatalogSeeder,
  ) {}

  async whenReady(): Promise<void> {
    await this.db.whenReady();
    await this.seeder?.done;
  }

  uniqueOf(state: ProductState): string {
    return state.sku;
  }

  async loadStates(afterId: number, limit: number): Promise<RowState[]> {
    const rows = await this.db.query<{ id: string; version: number; sku: string; created_at: Date | null; deleted: boolean }>(
      `SELECT id, version, sku, created_at, false AS deleted FROM products WHERE id > $1
       UNION ALL
       SELECT id, version, '', NULL, true FROM product_tombstones WHERE id > $1
       ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(toRowState);
  }

  async currentState(id: number): Promise<RowState | undefined> {
    const rows = await this.db.query<{ id: string; version: number; sku: string; created_at: Date | null; deleted: boolean }>(
      `SELECT id, version, sku, created_at, false AS deleted FROM products WHERE id = $1
       UNION ALL
       SELECT id, version, '', NULL, true FROM product_tombstones WHERE id = $1`,
      [id],
    );
    return rows[0] && toRowState(rows[0]);
  }

  async reserveIds(count: number): Promise<number[]> {
    const rows = await this.db.query<{ id: string }>("SELECT nextval(pg_get_serial_sequence('products', 'id')) AS id FROM generate_series(1, $1)", [count]);
    return rows.map((row) => Number(row.id));
  }

  /**
   * Deletes first (one statement: guarded delete + tombstones), then every
   * upsert in one multi-row `INSERT … ON CONFLICT (id) DO UPDATE … WHERE
   * products.version < excluded.version`, skipping states a tombstone has
   * overtaken. Replays and out-of-order batches change nothing.
   */
  async flush(ops: ReadonlyArray<WriteOp<ProductState>>): Promise<void> {
    const deletes = ops.filter((op) => op.kind === 'delete');
    const upserts = ops.filter((op) => op.kind === 'upsert');
    if (deletes.length > 0) {
      await this.db.query(
        `WITH d AS (SELECT * FROM unnest($1::bigint[], $2::int[]) AS d(id, version)),
              t AS (INSERT INTO product_tombstones (id, version) SELECT id, version FROM d
                    ON CONFLICT (id) DO UPDATE SET version = GREATEST(product_tombstones.version, excluded.version))
         DELETE FROM products p USING d WHERE p.id = d.id AND p.version < d.version`,
        [deletes.map((op) => op.id), deletes.map((op) => op.version)],
      );
    }
    if (upserts.length > 0) {
      const records = upserts.map((op) => ({
        id: op.id,
        sku: op.state.sku,
        name: op.state.name,
        description: op.state.description,
        price_minor: op.state.priceMinor,
        currency: op.state.currency,
        stock: op.state.stock,
        tags: op.state.tags,
        version: op.version,
        created_at: op.meta,
        updated_at: op.state.updatedAt,
      }));
      await this.db.query(
        `INSERT INTO products (id, sku, name, description, price_minor, currency, stock, tags, version, created_at, updated_at)
         SELECT r.id, r.sku, r.name, r.description, r.price_minor, r.currency, r.stock, r.tags, r.version, r.created_at, r.updated_at
           FROM jsonb_to_recordset($1::jsonb) AS r(${RECORD})
          WHERE NOT EXISTS (SELECT 1 FROM product_tombstones t WHERE t.id = r.id AND t.version >= r.version)
         ON CONFLICT (id) DO UPDATE
            SET sku = excluded.sku, name = excluded.name, description = excluded.description, price_minor = excluded.price_minor,
                currency = excluded.currency, stock = excluded.stock, tags = excluded.tags, version = excluded.version,
                updated_at = excluded.updated_at
          WHERE products.version < excluded.version`,
        [JSON.stringify(records)],
      );
    }
  }

  /** One statement straight to PostgreSQL, with the checks the Redis path makes (version precondition, unique SKU). */
  async writeSync(request: WriteRequest<ProductState>): Promise<WriteOutcome> {
    try {
      switch (request.kind) {
        case 'create': {
          const s = request.state;
          const rows = await this.db.query<{ id: string }>(
            `INSERT INTO products (sku, name, description, price_minor, currency, stock, tags, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
            [s.sku, s.name, s.description, s.priceMinor, s.currency, s.stock, s.tags, request.meta, s.updatedAt],
          );
          return { kind: 'accepted', id: Number(rows[0].id), version: 1, meta: request.meta, path: 'sync' };
        }
        case 'update': {
          const s = request.state;
          const rows = await this.db.query<{ version: number; created_at: Date }>(
            `UPDATE products
                SET sku = $2, name = $3, description = $4, price_minor = $5, currency = $6, stock = $7, tags = $8,
                    version = version + 1, updated_at = $9
              WHERE id = $1 AND ($10::int IS NULL OR version = $10)
              RETURNING version, created_at`,
            [request.id, s.sku, s.name, s.description, s.priceMinor, s.currency, s.stock, s.tags, s.updatedAt, request.expectedVersion ?? null],
          );
          if (rows[0]) return { kind: 'accepted', id: request.id, version: rows[0].version, meta: rows[0].created_at.toISOString(), path: 'sync' };
          return this.whyNotWritten(request.id);
        }
        case 'delete': {
          const rows = await this.db.query<{ version: number }>(
            `WITH d AS (DELETE FROM products WHERE id = $1 AND ($2::int IS NULL OR version = $2) RETURNING id, version + 1 AS version)
             INSERT INTO product_tombstones (id, version) SELECT id, version FROM d
             ON CONFLICT (id) DO UPDATE SET version = GREATEST(product_tombstones.version, excluded.version)
             RETURNING version`,
            [request.id, request.expectedVersion ?? null],
          );
          if (rows[0]) return { kind: 'accepted', id: request.id, version: rows[0].version, meta: '', path: 'sync' };
          return this.whyNotWritten(request.id);
        }
        default: {
          const unknown: never = request;
          throw new Error(`unknown write ${JSON.stringify(unknown)}`);
        }
      }
    } catch (error) {
      const pg = error as { code?: string; constraint?: string };
      if (pg.code === '23505' && pg.constraint === 'products_sku_key') return { kind: 'duplicate', ownerId: 0 };
      throw error;
    }
  }

  /** The cached copy of a corrected row is dropped everywhere; the next read loads what PostgreSQL holds. */
  async onStateCorrected(id: number): Promise<void> {
    await this.cache.delete(productKey(id));
  }

  private async whyNotWritten(id: number): Promise<WriteOutcome> {
    const rows = await this.db.query<{ version: number }>('SELECT version FROM products WHERE id = $1', [id]);
    return rows[0] ? { kind: 'stale', currentVersion: rows[0].version } : { kind: 'missing' };
  }
}

function toRowState(row: { id: string; version: number; sku: string; created_at: Date | null; deleted: boolean }): RowState {
  return { id: Number(row.id), version: row.version, deleted: row.deleted, unique: row.sku, meta: row.created_at ? row.created_at.toISOString() : '' };
}
