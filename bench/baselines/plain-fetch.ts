import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { InjectConfig, type ConfigOf } from '../../src/config';
import { Degradable } from '../../src/degradation';
import { CatalogModule, CatalogService, ProductNotFoundError, productIdSchema, type Product } from '../../src/features/catalog';
import { recommendationsConfig } from '../../src/features/recommendations';
import { ZodValidationPipe } from '../../src/http';
import { PLAIN_FETCH_PREFIX } from '../servers';
import { startAppVariant } from './app-variant';

/**
 * Baseline `plain-fetch`: the whole app (the same `createApp` as `dist/main.js`,
 * the same config, cache and `GET /products/:id`), plus one bench-only route,
 * `GET <PLAIN_FETCH_PREFIX>/products/:id/recommendations`, that answers what
 * `GET /products/:id/recommendations` answers but calls the recommender with
 * a bare `await fetch`: no timeout, breaker, bulkhead, retry or fallback. It
 * sits behind the same `recommendations` switch, as the app's route does.
 * Listens on $HOST:$PORT; SIGTERM drains as the app does.
 */
@Controller(`${PLAIN_FETCH_PREFIX.slice(1)}/products`)
class PlainFetchRecommendationsController {
  constructor(
    private readonly catalog: CatalogService,
    @InjectConfig(recommendationsConfig) private readonly config: ConfigOf<typeof recommendationsConfig>,
  ) {}

  @Get(':id/recommendations')
  @Degradable('recommendations')
  async get(@Param('id', new ZodValidationPipe(productIdSchema)) id: number): Promise<{ productId: number; source: 'recommender'; items: Product[] }> {
    const [product] = await this.catalog.findMany([id]);
    if (!product) throw new ProductNotFoundError(id);
    const response = await fetch(`${this.config.url}/recommendations/${id}?limit=${this.config.limit}`, { headers: { accept: 'application/json' } });
    const { productIds } = (await response.json()) as { productIds: number[] };
    const items = await this.catalog.findMany(productIds.filter((other) => other !== id).slice(0, this.config.limit));
    return { productId: id, source: 'recommender', items };
  }
}

@Module({ imports: [CatalogModule], controllers: [PlainFetchRecommendationsController] })
class PlainFetchModule {}

startAppVariant({ modules: [PlainFetchModule] });
