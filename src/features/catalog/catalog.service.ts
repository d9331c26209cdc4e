import { Injectable } from '@nestjs/common';
import { CacheService, type CachedBatch } from '../../cache/cache.service';
import { ProductNotFoundError, VersionConflictError } from './catalog.errors';
import { PRODUCT_CACHE, productKey } from './product.cache';
import { encodeCursor } from './product.dto';
import { ProductRepository, type WriteOutcome } from './product.repository';
import type { Product, ProductInput, ProductPage } from './product.types';

const OPEN_ITEMS = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');

/**
 * The catalog's rules: lookups (through the cache), batch lookups, pages and
 * optimistic-concurrency writes, which update the cache so that a client
 * reads its own write at once, on every pod.
 */
@Injectable()
export class CatalogService {
  private readonly batch: CachedBatch;

  constructor(
    private readonly products: ProductRepository,
    private readonly cache: CacheService,
  ) {
    this.batch = cache.batch(async (keys) => {
      const found = await this.products.findByIds(keys.map((key) => Number(key.slice('product:'.length))));
      return new Map(found.map((product) => [productKey(product.id), product]));
    }, PRODUCT_CACHE);
  }

  /** One product from PostgreSQL; `GET /products/:id` caches it through `@Cached()`. */
  async get(id: number): Promise<Product> {
    const product = await this.products.findById(id);
    if (!product) throw new ProductNotFoundError(id);
    return product;
  }

  /**
   * `{"items":[…],"missing":[…]}` for `ids` (de-duplicated), in request order,
   * as JSON bytes: the cached bodies are spliced in, not parsed and
   * re-serialized. Concurrent requests share one MGET and one SQL query.
   */
  async getMany(ids: readonly number[]): Promise<Buffer> {
    const results = await this.batch.load(ids.map(productKey));
    const pieces: Buffer[] = [OPEN_ITEMS];
    const missing: number[] = [];
    for (const id of ids) {
      const entry = results.get(productKey(id))!.entry;
      if (entry.negative) {
        missing.push(id);
        continue;
      }
      if (pieces.length > 1) pieces.push(COMMA);
      pieces.push(entry.body);
    }
    pieces.push(Buffer.from(`],"missing":${JSON.stringify(missing)}}`));
    // One copy of each body into the response.
    return Buffer.concat(pieces);
  }

  /**
   * For other features: the products of `ids` that exist, in the order of
   * `ids` (duplicates folded), through the cache with the batch lookup of
   * {@link getMany} (one MGET, at most one query, merged with concurrent lookups).
   */
  async findMany(ids: readonly number[]): Promise<Product[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const results = await this.batch.load(unique.map(productKey));
    const products: Product[] = [];
    for (const id of unique) {
      const entry = results.get(productKey(id))!.entry;
      if (!entry.negative) products.push(JSON.parse(entry.body.toString('utf8')) as Product);
    }
    return products;
  }

  /**
   * For other features: ids of up to `limit` other products sharing a tag
   * with `product` (most shared tags first), cached under
   * `product-related:<id>:<limit>` with the module TTLs, so a fallback that
   * serves it on every request costs no query.
   */
  async relatedIds(product: Product, limit: number): Promise<number[]> {
    const ids = await this.cache.getOrLoad(`product-related:${product.id}:${limit}`, () => this.products.findIdsSharingTags(product.tags, product.id, limit));
    return ids ?? [];
  }

  async page(afterId: number, limit: number): Promise<ProductPage> {
    // One extra row tells whether another page follows without a COUNT.
    const rows = await this.products.findPage(afterId, limit + 1);
    const items = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null;
    return { items, nextCursor };
  }

  async create(input: ProductInput): Promise<Product> {
    const product = await this.products.insert(input);
    // Also replaces a cached "not found" for this id.
    await this.cache.set(productKey(product.id), product, PRODUCT_CACHE);
    return product;
  }

  async replace(id: number, input: ProductInput, expectedVersion: number | undefined): Promise<Product> {
    const product = written(id, expectedVersion, await this.products.replace(id, input, expectedVersion));
    await this.cache.set(productKey(id), product, PRODUCT_CACHE);
    return product;
  }

  async delete(id: number, expectedVersion: number | undefined): Promise<void> {
    written(id, expectedVersion, await this.products.delete(id, expectedVersion));
    await this.cache.delete(productKey(id));
  }
}

function written(id: number, expectedVersion: number | undefined, outcome: WriteOutcome): Product {
  switch (outcome.kind) {
    case 'written':
      return outcome.product;
    case 'missing':
      throw new ProductNotFoundError(id);
    case 'stale':
      throw new VersionConflictError(id, expectedVersion!, outcome.currentVersion);
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown write outcome ${JSON.stringify(unknown)}`);
    }
  }
}
