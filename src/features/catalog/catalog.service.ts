import { Injectable } from '@nestjs/common';
import { CacheService, type CachedBatch, cacheConfig, type CacheConfig } from '../../cache';
import { InjectConfig } from '../../config';
import { TimeoutError, withTimeout } from '../../lifecycle';
import { InjectWriteBehind, type BulkWriteOutcome, type PendingOp, type WriteBehind, type WriteOutcome, type WriteRequest } from '../../write-behind';
import { BulkItemAbortedError, DuplicateSkuError, PendingWritesUnreadableError, ProductNotFoundError, VersionConflictError } from './catalog.errors';
import { PRODUCTS_ENTITY } from './catalog-writes.module';
import { PRODUCT_CACHE, productKey } from './product.cache';
import { encodeCursor, type BulkWriteItem } from './product.dto';
import { ProductChanges } from './product-changes';
import { ProductRepository } from './product.repository';
import type { Product, ProductInput, ProductPage, ProductState } from './product.types';

const OPEN_ITEMS = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');

/**
 * The catalog's rules: lookups (through the cache), batch lookups, pages and
 * optimistic-concurrency writes. Writes go through the write-behind kit: the
 * version and SKU checks run against Redis, the write is queued and the
 * cache updated at once (a client reads its own write, on every pod), and a
 * worker lands it in PostgreSQL moments later. Lookups that miss the cache
 * see writes not yet flushed (the pending state in Redis wins over PostgreSQL).
 * Each accepted write is then told to the features that listen ({@link ProductChanges}).
 */
@Injectable()
export class CatalogService {
  private readonly batch: CachedBatch;

  constructor(
    private readonly products: ProductRepository,
    private readonly cache: CacheService,
    @InjectWriteBehind(PRODUCTS_ENTITY) private readonly writes: WriteBehind<ProductState>,
    @InjectConfig(cacheConfig) private readonly cacheConfig: CacheConfig,
    private readonly changes: ProductChanges,
  ) {
    this.batch = cache.batch(async (keys) => {
      const found = await this.findByIds(keys.map((key) => Number(key.slice('product:'.length))));
      return new Map(found.map((product) => [productKey(product.id), product]));
    }, PRODUCT_CACHE);
    // The loader of `GET /products/:id` (`@Cached()` with PRODUCT_CACHE), for refresh-ahead of hot products.
    cache.reloadable('product:', (key) => this.get(Number(key.slice('product:'.length))), PRODUCT_CACHE);
  }

  /** One product (a pending write first, else PostgreSQL); `GET /products/:id` caches it through `@Cached()`. */
  async get(id: number): Promise<Product> {
    const op = (await this.pendingOf([id])).get(id);
    const product = op ? fromPending(op) : await this.products.findById(id);
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

  /** A page straight from PostgreSQL: writes not yet flushed (milliseconds) are not in it yet. */
  async page(afterId: number, limit: number): Promise<ProductPage> {
    // One extra row tells whether another page follows without a COUNT.
    const rows = await this.products.findPage(afterId, limit + 1);
    const items = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? encodeCursor(items[items.length - 1].id) : null;
    return { items, nextCursor };
  }

  async create(input: ProductInput): Promise<Product> {
    const now = new Date().toISOString();
    const state: ProductState = { ...input, updatedAt: now };
    const outcome = await this.writes.write({ kind: 'create', unique: input.sku, meta: now, state });
    const product = accepted(0, undefined, input.sku, outcome, state);
    // Also replaces a cached "not found" for this id.
    await this.cache.set(productKey(product.id), product, PRODUCT_CACHE);
    await this.changes.emit([{ id: product.id, version: product.version, kind: 'created' }]);
    return product;
  }

  async replace(id: number, input: ProductInput, expectedVersion: number | undefined): Promise<Product> {
    const state: ProductState = { ...input, updatedAt: new Date().toISOString() };
    const outcome = await this.writes.write({ kind: 'update', id, expectedVersion, unique: input.sku, state });
    const product = accepted(id, expectedVersion, input.sku, outcome, state);
    await this.cache.set(productKey(id), product, PRODUCT_CACHE);
    await this.changes.emit([{ id, version: product.version, kind: 'updated' }]);
    return product;
  }

  async delete(id: number, expectedVersion: number | undefined): Promise<void> {
    const outcome = await this.writes.write({ kind: 'delete', id, expectedVersion });
    accepted(id, expectedVersion, '', outcome, undefined);
    await this.cache.delete(productKey(id));
    if (outcome.kind === 'accepted') await this.changes.emit([{ id, version: outcome.version, kind: 'deleted' }]);
  }

  /**
   * `POST /products/bulk`: the items' writes share one group commit (one edge script, one queue
   * add), then one cache update for all (one L2 round trip, one bus message) and one for the
   * deletes. Each item settles as its single write would (`atomic`: see `WriteBehind.writeMany`;
   * an item another one's refusal stopped rejects with {@link BulkItemAbortedError}).
   */
  async bulk(items: readonly BulkWriteItem[], atomic: boolean): Promise<Array<PromiseSettledResult<BulkWritten>>> {
    const now = new Date().toISOString();
    const writes = items.map((item) => bulkWrite(item, now));
    const outcomes = await this.writes.writeMany(
      writes.map((write) => write.request),
      { atomic },
    );
    const results = outcomes.map((outcome, i): PromiseSettledResult<BulkWritten> => {
      if (outcome.status === 'rejected') return outcome;
      try {
        return { status: 'fulfilled', value: bulkWritten(items[i], writes[i], outcome.value) };
      } catch (error) {
        return { status: 'rejected', reason: error };
      }
    });
    const written = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const upserted = written.flatMap((w) => (w.status === 204 ? [] : [w.product]));
    const deleted = written.flatMap((w) => (w.status === 204 ? [w.id] : []));
    await this.cache.setMany(
      upserted.map((product) => ({ key: productKey(product.id), value: product })),
      PRODUCT_CACHE,
    );
    if (deleted.length > 0) await this.cache.delete(...deleted.map(productKey));
    await this.changes.emit(
      written.map((w) =>
        w.status === 204
          ? { id: w.id, version: w.version, kind: 'deleted' }
          : { id: w.product.id, version: w.product.version, kind: w.status === 201 ? 'created' : 'updated' },
      ),
    );
    return results;
  }

  /** Products of `ids` (no order): pending writes from Redis over rows from PostgreSQL. */
  private async findByIds(ids: readonly number[]): Promise<Product[]> {
    const pending = await this.pendingOf(ids);
    const rest = ids.filter((id) => !pending.has(id));
    const found = rest.length === 0 ? [] : await this.products.findByIds(rest);
    for (const op of pending.values()) {
      const product = fromPending(op);
      if (product) found.push(product);
    }
    return found;
  }

  /**
   * Writes of `ids` not yet in PostgreSQL (the pending state in Redis). Without them PostgreSQL may
   * answer a version older than an acknowledged write, so:
   * - while Redis is healthy, the lookup may take up to CACHE_LOADER_HARD_TIMEOUT_MS; past it the read
   *   is refused (503 E_PENDING_WRITES_UNREADABLE) rather than answered without them;
   * - while the cache's L2 breaker is open (Redis down or slow), it may take CACHE_L2_TIMEOUT_MS, so a
   *   read does not wait on a slow Redis; when it fails then, or the connection fails (an outage), the
   *   read is answered from PostgreSQL alone (degraded, as the outage promise says) and that answer is
   *   kept in no cache tier, so the next read after recovery sees the writes.
   * The fleet test found both ways an answer without them got cached: a 50 ms bound on a busy machine,
   * and the breaker opened by slow L2 reads while writes were still being acknowledged.
   */
  private async pendingOf(ids: readonly number[]): Promise<Map<number, PendingOp>> {
    const healthy = this.cache.l2Available;
    try {
      return await withTimeout(
        this.writes.pending(ids),
        healthy ? this.cacheConfig.loaderHardTimeoutMs : this.cacheConfig.l2TimeoutMs,
        'pending writes lookup',
      );
    } catch (error) {
      if (healthy && error instanceof TimeoutError) throw new PendingWritesUnreadableError(error);
      this.cache.keepNoFill(ids.map(productKey));
      return new Map();
    }
  }
}

/** What one item of a bulk request wrote: the product (201 created, 200 replaced), or the deleted id and the version its delete made. */
export type BulkWritten = { readonly status: 200 | 201; readonly product: Product } | { readonly status: 204; readonly id: number; readonly version: number };

/** The write request of a bulk item, and its state (none for a delete). */
function bulkWrite(item: BulkWriteItem, now: string): { request: WriteRequest<ProductState>; state?: ProductState } {
  switch (item.op) {
    case 'create': {
      const state: ProductState = { ...item.product, updatedAt: now };
      return { request: { kind: 'create', unique: state.sku, meta: now, state }, state };
    }
    case 'replace': {
      const state: ProductState = { ...item.product, updatedAt: now };
      return { request: { kind: 'update', id: item.id, expectedVersion: item.version, unique: state.sku, state }, state };
    }
    case 'delete':
      return { request: { kind: 'delete', id: item.id, expectedVersion: item.version } };
    default: {
      const unknown: never = item;
      throw new Error(`unknown bulk op ${JSON.stringify(unknown)}`);
    }
  }
}

/** What a bulk item's outcome means, or the error its single write would have thrown. */
function bulkWritten(item: BulkWriteItem, write: { state?: ProductState }, outcome: BulkWriteOutcome): BulkWritten {
  if (outcome.kind === 'aborted') throw new BulkItemAbortedError();
  const id = item.op === 'create' ? 0 : item.id;
  const expected = item.op === 'create' ? undefined : item.version;
  // Throws the item's 404 or 409 unless it was accepted.
  const product = accepted(id, expected, write.state?.sku ?? '', outcome, write.state);
  if (item.op === 'delete') return { status: 204, id: product.id, version: product.version };
  return { status: item.op === 'create' ? 201 : 200, product };
}

/** The product a pending write makes, or undefined for a pending delete. */
function fromPending(op: PendingOp): Product | undefined {
  return op.kind === 'upsert' ? toProduct(op.id, op.version, op.meta, op.state as ProductState) : undefined;
}

/** The product a write produced, or the error that says why there is none. */
function accepted(id: number, expectedVersion: number | undefined, sku: string, outcome: WriteOutcome, state: ProductState | undefined): Product {
  switch (outcome.kind) {
    case 'accepted':
      // A delete has no product: its id and the version the delete made.
      return state ? toProduct(outcome.id, outcome.version, outcome.meta, state) : ({ id: outcome.id, version: outcome.version } as Product);
    case 'missing':
      throw new ProductNotFoundError(id);
    case 'stale':
      throw new VersionConflictError(id, expectedVersion!, outcome.currentVersion);
    case 'duplicate':
      throw new DuplicateSkuError(sku);
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown write outcome ${JSON.stringify(unknown)}`);
    }
  }
}

/** The API representation, fields in the order PostgreSQL reads give them. */
function toProduct(id: number, version: number, createdAt: string, state: ProductState): Product {
  return {
    id,
    sku: state.sku,
    name: state.name,
    description: state.description,
    priceMinor: state.priceMinor,
    currency: state.currency,
    stock: state.stock,
    tags: state.tags,
    version,
    createdAt,
    updatedAt: state.updatedAt,
  };
}
