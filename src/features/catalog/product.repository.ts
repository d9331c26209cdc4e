import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database';
import type { Product } from './product.types';

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

/**
 * The catalog's reads, one round trip each, parameterised (writes:
 * `ProductWriteRepository`, through the write-behind kit).
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
