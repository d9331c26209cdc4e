import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ZodValidationPipe } from '../../http/zod-validation.pipe';
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
import type { Product, ProductBatch, ProductPage } from './product.types';

const productId = new ZodValidationPipe(productIdSchema);

/** `/products`: reads by id, by ids and by page; writes with optimistic concurrency. */
@Controller('products')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  /** `GET /products?ids=1,2,3` (batch, at most CATALOG_BATCH_MAX_IDS) or `GET /products?limit=&cursor=` (page). */
  @Get()
  find(@Query(ProductQueryPipe) query: ProductQuery): Promise<ProductBatch | ProductPage> {
    return query.kind === 'batch' ? this.catalog.getMany(query.ids) : this.catalog.page(query.afterId, query.limit);
  }

  @Get(':id')
  async get(@Param('id', productId) id: number, @Res({ passthrough: true }) reply: FastifyReply): Promise<Product> {
    const product = await this.catalog.get(id);
    void reply.header('etag', etagOf(product.version));
    return product;
  }

  @Post()
  @HttpCode(201)
  async create(
    @Body(new ZodValidationPipe(createProductSchema)) body: CreateProductDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Product> {
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
