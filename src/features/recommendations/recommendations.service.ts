import { Injectable, Logger } from '@nestjs/common';
import { CacheService, type CachedBatch } from '../../cache';
import { LogThrottle } from '../../logging';
import { InjectConfig } from '../../config';
import { InjectPolicy, type ResiliencePolicy } from '../../resilience';
import { ProductNotFoundError, CatalogService, type Product } from '../catalog';
import { RECOMMENDER_POLICY } from './recommendations.constants';
import { recommendationsConfig, type RecommendationsConfig } from './recommendations.config';
import { RecommenderClient } from './recommender.client';
import type { Recommendations, RecommendationsResult } from './recommendations.types';

/**
 * Recommendations for a product: the recommender's ids, resolved through the
 * catalog's batch read. Every recommender call runs under the `recommender`
 * policy (timeout, breaker, bulkhead, budgeted retries).
 *
 * Fallback (taken when the call fails for any reason: timeout, error status,
 * malformed answer, connection error, open breaker, full bulkhead): other
 * products sharing a tag with this one, from the catalog (cached). It is
 * logged (at most once per 10 s, with the count) and counted in `stats()`.
 */
@Injectable()
export class RecommendationsService {
  private readonly logger = new Logger('Recommendations');
  private readonly served = { recommender: 0, fallback: 0 };
  /** A fallback is logged at most once per 10 s; the ones in between are counted into the next line. */
  private readonly fallbackLog = new LogThrottle(0.1, 1);
  /** Fallback answers as JSON bytes, per product (see {@link fallbackFor}). */
  private readonly fallbacks: CachedBatch;

  constructor(
    private readonly catalog: CatalogService,
    private readonly recommender: RecommenderClient,
    @InjectPolicy(RECOMMENDER_POLICY) private readonly policy: ResiliencePolicy,
    @InjectConfig(recommendationsConfig) private readonly config: RecommendationsConfig,
    cache: CacheService,
  ) {
    this.fallbacks = cache.batch(async (keys) => {
      const ids = keys.map((key) => Number(key.slice(key.lastIndexOf(':') + 1)));
      const products = await this.catalog.findMany(ids);
      const answers = await Promise.all(products.map(async (product) => [fallbackKey(product.id), await this.relatedOf(product)] as const));
      return new Map(answers);
    });
  }

  /** Recommendations for product `id`; `ProductNotFoundError` (404) when it does not exist. */
  async forProduct(id: number): Promise<RecommendationsResult> {
    const [product] = await this.catalog.findMany([id]);
    if (!product) throw new ProductNotFoundError(id);
    let ids: number[];
    try {
      ids = await this.policy.execute((signal) => this.recommender.recommend(id, signal));
    } catch (error) {
      return this.fallbackFor(product, codeOf(error));
    }
    this.served.recommender++;
    return { body: { productId: id, source: 'recommender', items: await this.resolve(id, ids) } };
  }

  /**
   * The fallback answer for product `id` without calling the recommender:
   * other products sharing a tag, `source: "fallback"`. For the feature's
   * degradation switch (when `recommendations` is off or shed); `reason` goes
   * to `x-fallback-reason`. `ProductNotFoundError` when it does not exist.
   */
  async fallback(id: number, reason: string): Promise<RecommendationsResult> {
    const [product] = await this.catalog.findMany([id]);
    if (!product) throw new ProductNotFoundError(id);
    return this.fallbackFor(product, reason);
  }

  /** Responses by source since start, for metrics. */
  stats(): { recommender: number; fallback: number } {
    return { ...this.served };
  }

  /**
   * The fallback answer of `product`, as JSON bytes from the cache: during an
   * outage every request of the route takes it, so it must cost about what an
   * L1 hit costs, not a catalog lookup and a serialisation of ten products.
   * A related product's change shows in it once the entry expires (the
   * module's cache TTLs), as befits a degraded answer.
   */
  private async fallbackFor(product: Product, reason: string): Promise<RecommendationsResult> {
    this.noteFallback(reason);
    const key = fallbackKey(product.id);
    const { entry } = (await this.fallbacks.load([key])).get(key)!;
    if (entry.negative) throw new ProductNotFoundError(product.id);
    return { body: entry.body, fallbackReason: reason };
  }

  private async relatedOf(product: Product): Promise<Recommendations> {
    const related = await this.catalog.relatedIds(product, this.config.limit);
    return { productId: product.id, source: 'fallback', items: await this.resolve(product.id, related) };
  }

  /** Existing products of `ids` in order, without the product itself, at most `limit`. */
  private resolve(self: number, ids: readonly number[]): Promise<Product[]> {
    return this.catalog.findMany(ids.filter((other) => other !== self).slice(0, this.config.limit));
  }

  private noteFallback(reason: string): void {
    this.served.fallback++;
    const suppressed = this.fallbackLog.take();
    if (suppressed !== undefined) this.logger.warn({ reason, suppressed }, 'serving fallback recommendations');
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E_[A-Z_]+$/.test(code) ? code : 'E_INTERNAL';
}

/** The cache key of product `id`'s fallback answer. */
function fallbackKey(id: number): string {
  return `recommendations-fallback:${id}`;
}
