import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ZodValidationPipe } from '../../http';
import { CatalogService } from './catalog.service';
import {
  createProductSchema,
  etagOf,
  expectedVersion,
  productIdSchema,
  replaceProductSchema,
  type CreateProductDto,
  type ProductQuery,
  type ReplaceProductDto,
} from './product.dto';
import { ProductQueryPipe } from './product-query.pipe';
import type { Product, ProductPage } from './product.types';
import { Cached } from '../../cache';
import { PRODUCT_CACHE, productKeyFromParams } from './product.cache';

const productId = new ZodValidationPipe(productIdSchema);

/** `/products`: reads by id, by ids and by page; writes with optimistic concurrency. */
@Controller('products')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  /**
   * `GET /products?ids=1,2,3` (batch through the cache, at most CATALOG_BATCH_MAX_IDS)
   * or `GET /products?limit=&cursor=` (a page, straight from PostgreSQL).
   */
  @Get()
  async find(@Query(ProductQueryPipe) query: ProductQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer | ProductPage> {
    if (query.kind === 'page') return this.catalog.page(query.afterId, query.limit);
    void reply.type('application/json; charset=utf-8');
    return this.catalog.getMany(query.ids);
  }

  /** Cached: served from L1/L2 (ETag = version), loaded from PostgreSQL on a miss; a 404 is cached briefly. */
  @Get(':id')
  @Cached({ key: productKeyFromParams, ...PRODUCT_CACHE })
  get(@Param('id', productId) id: number): Promise<Product> {
    return this.catalog.get(id);
  }

  @Post()
  @HttpCode(201)
  async create(@Body(new ZodValidationPipe(createProductSchema)) body: CreateProductDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Product> {
    const product = await this.catalog.create(body);
    void reply.header('location', `/products/${product.id}`).header('etag', etagOf(product.version));
    return product;
  }

  /** Replaces the product; conditional on `If-Match` or the body's `version` when given (409 when stale). */
  @Put(':id')
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
  async delete(@Param('id', productId) id: number, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.catalog.delete(id, expectedVersion(ifMatch, undefined));
  }
}
