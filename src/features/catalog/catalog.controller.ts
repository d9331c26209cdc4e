import { Body, Controller, Delete, Get, Headers, HttpCode, Logger, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError, ApiRoute, toProblem, ZodValidationPipe, type ProblemSpec, type ResponseHeaderSpec } from '../../http';
import { BulkRefusedError } from './catalog.errors';
import { CatalogService, type BulkWritten } from './catalog.service';
import {
  bulkWriteQuerySchema,
  createProductSchema,
  etagOf,
  expectedVersion,
  ifMatchSchema,
  productIdSchema,
  replaceProductSchema,
  type BulkWriteDto,
  type CreateProductDto,
  type ProductQuery,
  type ReplaceProductDto,
} from './product.dto';
import { BulkWritePipe, ProductQueryPipe } from './product-query.pipe';
import {
  bulkWriteResultSchema,
  productBatchSchema,
  productPageSchema,
  productSchema,
  type BulkItemResult,
  type BulkWriteResult,
  type Product,
  type ProductPage,
} from './product.types';
import { Cached } from '../../cache';
import { PRODUCT_CACHE, productKeyFromParams } from './product.cache';

const productId = new ZodValidationPipe(productIdSchema);

// The contract pieces the routes share (the OpenAPI document).
const NOT_FOUND: ProblemSpec = { status: 404, code: 'E_NOT_FOUND', when: 'no product has this id' };
const VERSION_CONFLICT: ProblemSpec = { status: 409, code: 'E_VERSION_CONFLICT', when: '`If-Match`/`version` names a version that is no longer current' };
const DUPLICATE_SKU: ProblemSpec = { status: 409, code: 'E_DUPLICATE_SKU', when: 'another product has this SKU' };
const PENDING_UNREADABLE: ProblemSpec = {
  status: 503,
  code: 'E_PENDING_WRITES_UNREADABLE',
  when: 'the writes not yet in PostgreSQL could not be read in time: the answer could be outdated, so it is refused',
};
const NOT_QUEUED: ProblemSpec = {
  status: 503,
  code: 'E_DEPENDENCY_UNAVAILABLE',
  when: 'the write could not be queued (Redis down and writes rejected, write state loading); nothing was kept',
};
const ETAG: ResponseHeaderSpec = {
  description: 'The new version as a strong ETag (`"<version>"`).',
  schema: z.string().regex(/^"[1-9][0-9]*"$/),
  required: true,
};
const BULK_REFUSED: ProblemSpec = {
  status: 409,
  code: 'E_BULK_REFUSED',
  when: 'atomic=true and an item was refused: nothing was written; `errors` lists each refused item (`#/items/<index>`, its code)',
};
const IF_MATCH = { 'if-match': { description: 'Makes the write conditional on the version the client read.', schema: ifMatchSchema } };

/** `/products`: reads by id, by ids and by page; writes with optimistic concurrency. */
@Controller('products')
export class CatalogController {
  private readonly logger = new Logger(CatalogController.name);

  constructor(private readonly catalog: CatalogService) {}

  /**
   * `GET /products?ids=1,2,3` (batch through the cache, at most CATALOG_BATCH_MAX_IDS)
   * or `GET /products?limit=&cursor=` (a page, straight from PostgreSQL).
   */
  @Get()
  @ApiRoute({
    summary: 'Products by ids, or a page of the catalog',
    description:
      '`?ids=1,2,3`: up to `CATALOG_BATCH_MAX_IDS` products through the cache, in request order, duplicates folded, `missing` lists unknown ids. ' +
      'Otherwise a page in id order (`limit`, `cursor` from the previous page). `ids` cannot be combined with `limit` or `cursor`; unknown parameters are refused.',
    response: z.union([productBatchSchema, productPageSchema]),
    problems: [PENDING_UNREADABLE],
  })
  async find(@Query(ProductQueryPipe) query: ProductQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer | ProductPage> {
    if (query.kind === 'page') return this.catalog.page(query.afterId, query.limit);
    void reply.type('application/json; charset=utf-8');
    return this.catalog.getMany(query.ids);
  }

  /** Cached: served from L1/L2 (ETag = version), loaded from PostgreSQL on a miss; a 404 is cached briefly. */
  @Get(':id')
  @ApiRoute({ summary: 'One product', response: productSchema, problems: [NOT_FOUND, PENDING_UNREADABLE] })
  @Cached({ key: productKeyFromParams, ...PRODUCT_CACHE })
  get(@Param('id', productId) id: number): Promise<Product> {
    return this.catalog.get(id);
  }

  @Post()
  @HttpCode(201)
  @ApiRoute({
    summary: 'Creates a product (written behind)',
    response: productSchema,
    headers: { location: { description: 'The new product: `/products/<id>`.', required: true }, etag: ETAG },
    problems: [DUPLICATE_SKU, NOT_QUEUED],
  })
  async create(@Body(new ZodValidationPipe(createProductSchema)) body: CreateProductDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Product> {
    const product = await this.catalog.create(body);
    void reply.header('location', `/products/${product.id}`).header('etag', etagOf(product.version));
    return product;
  }

  /**
   * Up to CATALOG_BULK_MAX_ITEMS creates, replaces and deletes in one request, written behind together
   * (one edge script, one queue add, one cache update), answered per item in request order. Bad
   * items do not stop good ones, unless `atomic=true`: then one refused item refuses the request.
   */
  @Post('bulk')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Creates, replaces and deletes products in one request (written behind)',
    description:
      'Each item has its own precondition (`version`) and its own answer, in request order: the status and product (or problem) its single write would have had. ' +
      'With `atomic=true` the request is all or nothing: one refused item refuses it with 409 `E_BULK_REFUSED` and nothing is written. ' +
      'When every item failed for want of Redis, the request answers that 503 itself.',
    response: bulkWriteResultSchema,
    problems: [BULK_REFUSED, NOT_QUEUED],
  })
  async bulk(
    @Body(BulkWritePipe) body: BulkWriteDto,
    @Query(new ZodValidationPipe(bulkWriteQuerySchema)) query: z.output<typeof bulkWriteQuerySchema>,
    @Req() request: FastifyRequest,
  ): Promise<BulkWriteResult> {
    const results = await this.catalog.bulk(body.items, query.atomic);
    const failures = results.flatMap((result, index) => (result.status === 'rejected' ? [{ index, error: result.reason as unknown }] : []));
    // A dependency failure of the whole request (every item, or any item of an atomic one) is the request's own 503.
    const unavailable = failures.find(({ error }) => !(error instanceof ApiError) || error.status >= 500);
    if (unavailable && (query.atomic || failures.length === results.length)) throw unavailable.error;
    if (query.atomic && failures.length > 0) {
      const refused = failures.flatMap(({ index, error }) =>
        error instanceof ApiError && error.status !== 424 ? [{ index, code: error.code, detail: error.message }] : [],
      );
      throw new BulkRefusedError(refused);
    }
    const context = { instance: (request.url ?? '/').split('?')[0], requestId: String(request.id) };
    return {
      items: results.map((result): BulkItemResult => {
        if (result.status === 'fulfilled') return bulkItem(result.value);
        const error: unknown = result.reason;
        const mapped = toProblem(error, context);
        if (mapped.logAsError) this.logger.error({ err: error, requestId: request.id }, 'unexpected error in a bulk item');
        return { status: mapped.body.status, problem: mapped.body };
      }),
    };
  }

  /** Replaces the product; conditional on `If-Match` or the body's `version` when given (409 when stale). */
  @Put(':id')
  @ApiRoute({
    summary: 'Replaces a product (written behind)',
    response: productSchema,
    headers: { etag: ETAG },
    requestHeaders: IF_MATCH,
    problems: [NOT_FOUND, VERSION_CONFLICT, DUPLICATE_SKU, NOT_QUEUED],
  })
  async replace(
    @Param('id', productId) id: number,
    @Body(new ZodValidationPipe(replaceProductSchema)) body: ReplaceProductDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Product> {
    const { version, ...input } = body;
    const product = await this.catalog.replace(id, input, expectedVersion(ifMatch, version));
    void reply.header('etag', etagOf(product.version));
    return product;
  }

  /** Deletes the product; conditional on `If-Match` when given (409 when stale). */
  @Delete(':id')
  @HttpCode(204)
  @ApiRoute({ summary: 'Deletes a product (written behind)', requestHeaders: IF_MATCH, problems: [NOT_FOUND, VERSION_CONFLICT, NOT_QUEUED] })
  async delete(@Param('id', productId) id: number, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.catalog.delete(id, expectedVersion(ifMatch, undefined));
  }
}

/** A written bulk item as the response lists it. */
function bulkItem(written: BulkWritten): BulkItemResult {
  return written.status === 204 ? { status: 204, id: written.id, version: written.version } : { status: written.status, product: written.product };
}
