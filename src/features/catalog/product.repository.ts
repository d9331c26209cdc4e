import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { DuplicateSkuError } from './catalog.errors';
import type { Product, ProductInput } from './product.types';

/** A products row as node-postgres returns it (bigint arrives as a string). */
interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  price_minor: string;
  currency: string;
  stock: number;
  tags: string[];
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, sku, name, description, price_minor, currency, stock, tags, version, created_at, updated_at';

/** Result of a conditional write: the new row, or why there is none. */
export type WriteOutcome =
  | { readonly kind: 'written'; readonly product: Product }
  | { readonly kind: 'missing' }
  | { readonly kind: 'stale'; readonly currentVersion: number };

/**
 * Every SQL statement of the catalog, one round trip each, parameterised.
 * Plain SQL through the TypeORM data source: the read path skips the ORM's
 * entity hydration, and batch reads are one `= ANY($1)` instead of N queries.
 */
@Injectable()
export class ProductRepository {
  constructor(private readonly db: DatabaseService) {}

  async findById(id: number): Promise<Product | undefined> {
    const rows = await this.db.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id = $1`, [id]);
    return rows[0] && toProduct(rows[0]);
  }

  /** One query for all `ids`; the result is in no particular order. */
  async findByIds(ids: readonly number[]): Promise<Product[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id = ANY($1::bigint[])`, [ids]);
    return rows.map(toProduct);
  }

  /**
   * Ids of up to `limit` products other than `excludeId` that share a tag
   * with `tags`: most shared tags first, then by id. Reads the whole table
   * (no tag index): callers cache the result.
   */
  async findIdsSharingTags(tags: readonly string[], excludeId: number, limit: number): Promise<number[]> {
    if (tags.length === 0 || limit <= 0) return [];
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM products
        WHERE tags && $1::text[] AND id <> $2
        ORDER BY (SELECT count(*) FROM unnest(tags) AS t WHERE t = ANY($1::text[])) DESC, id
        LIMIT $3`,
      [tags, excludeId, limit],
    );
    return rows.map((row) => Number(row.id));
  }

  /** Keyset page: the first `limit` products with an id above `afterId`. */
  async findPage(afterId: number, limit: number): Promise<Product[]> {
    const rows = await this.db.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit]);
    return rows.map(toProduct);
  }

  async insert(input: ProductInput): Promise<Product> {
    const rows = await this.writing(input.sku, () =>
      this.db.query<ProductRow>(
        `INSERT INTO products (sku, name, description, price_minor, currency, stock, tags)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [input.sku, input.name, input.description, input.priceMinor, input.currency, input.stock, input.tags],
      ),
    );
    return toProduct(rows[0]!);
  }

  /** Replaces every field and bumps the version, if the row exists at `expectedVersion` (any version when undefined). */
  async replace(id: number, input: ProductInput, expectedVersion: number | undefined): Promise<WriteOutcome> {
    const rows = await this.writing(input.sku, () =>
      this.db.query<ProductRow>(
        `UPDATE products
            SET sku = $2, name = $3, description = $4, price_minor = $5, currency = $6, stock = $7, tags = $8,
                version = version + 1, updated_at = now()
          WHERE id = $1 AND ($9::int IS NULL OR version = $9)
          RETURNING ${COLUMNS}`,
        [id, input.sku, input.name, input.description, input.priceMinor, input.currency, input.stock, input.tags, expectedVersion ?? null],
      ),
    );
    return rows[0] ? { kind: 'written', product: toProduct(rows[0]) } : this.whyNotWritten(id);
  }

  /** Deletes the row, if it exists at `expectedVersion` (any version when undefined). */
  async delete(id: number, expectedVersion: number | undefined): Promise<WriteOutcome> {
    const rows = await this.db.query<ProductRow>(
      `DELETE FROM products WHERE id = $1 AND ($2::int IS NULL OR version = $2) RETURNING ${COLUMNS}`,
      [id, expectedVersion ?? null],
    );
    return rows[0] ? { kind: 'written', product: toProduct(rows[0]) } : this.whyNotWritten(id);
  }

  private async whyNotWritten(id: number): Promise<WriteOutcome> {
    const rows = await this.db.query<{ version: number }>('SELECT version FROM products WHERE id = $1', [id]);
    return rows[0] ? { kind: 'stale', currentVersion: rows[0].version } : { kind: 'missing' };
  }

  /** Maps a unique violation on the SKU to a 409. */
  private async writing<T>(sku: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const pg = error as { code?: string; constraint?: string };
      if (pg.code === '23505' && pg.constraint === 'products_sku_key') throw new DuplicateSkuError(sku, error);
      throw error;
    }
  }
}

function toProduct(row: ProductRow): Product {
  return {
    id: Number(row.id),
    sku: row.sku,
    name: row.name,
    description: row.description,
    priceMinor: Number(row.price_minor),
    currency: row.currency,
    stock: row.stock,
    tags: row.tags,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
