import { Injectable } from '@nestjs/common';
import { ProductNotFoundError, VersionConflictError } from './catalog.errors';
import { encodeCursor } from './product.dto';
import { ProductRepository, type WriteOutcome } from './product.repository';
import type { Product, ProductBatch, ProductInput, ProductPage } from './product.types';

/** The catalog's rules: lookups, batch lookups, pages and optimistic-concurrency writes. */
@Injectable()
export class CatalogService {
  constructor(private readonly products: ProductRepository) {}

  async get(id: number): Promise<Product> {
    const product = await this.products.findById(id);
    if (!product) throw new ProductNotFoundError(id);
    return product;
  }

  /** Products for `ids` (already de-duplicated) in the same order, with the ids that do not exist. One query. */
  async getMany(ids: readonly number[]): Promise<ProductBatch> {
    const byId = new Map((await this.products.findByIds(ids)).map((p) => [p.id, p]));
    const items: Product[] = [];
    const missing: number[] = [];
    for (const id of ids) {
      const product = byId.get(id);
      if (product) items.push(product);
      else missing.push(id);
    }
    return { items, missing };
  }

  async page(afterId: number, limit: number): Promise<ProductPage> {
    // One extra row tells whether another page follows without a COUNT.
    const rows = await this.products.findPage(afterId, limit + 1);
    const items = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null;
    return { items, nextCursor };
  }

  create(input: ProductInput): Promise<Product> {
    return this.products.insert(input);
  }

  async replace(id: number, input: ProductInput, expectedVersion: number | undefined): Promise<Product> {
    return written(id, expectedVersion, await this.products.replace(id, input, expectedVersion));
  }

  async delete(id: number, expectedVersion: number | undefined): Promise<void> {
    written(id, expectedVersion, await this.products.delete(id, expectedVersion));
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
