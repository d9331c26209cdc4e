import type { Product } from '../catalog/product.types';

/** Where the recommendations of a response come from. */
export type RecommendationSource = 'recommender' | 'fallback';

/**
 * `GET /products/:id/recommendations`: products recommended for `productId`,
 * best first. `source: "fallback"` (and the header `x-fallback: recommendations`)
 * when the recommender failed, timed out or its breaker is open: then the
 * items are other products sharing a tag with this one.
 */
export interface Recommendations {
  readonly productId: number;
  readonly source: RecommendationSource;
  readonly items: readonly Product[];
}

/** A {@link Recommendations} with, for a fallback, the code of what failed (for the `x-fallback-reason` header). */
export interface RecommendationsResult {
  readonly body: Recommendations;
  readonly fallbackReason?: string;
}
