import { z } from 'zod';
import { describes } from '../../http';
import { productSchema, type Product } from '../catalog';

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

/**
 * A {@link Recommendations} with, for a fallback, the code of what failed
 * (for the `x-fallback-reason` header). A fallback's body is the cached JSON
 * bytes of its {@link Recommendations}, sent as they are.
 */
export interface RecommendationsResult {
  readonly body: Recommendations | Buffer;
  readonly fallbackReason?: string;
}

/** {@link Recommendations} as the OpenAPI document publishes it. */
export const recommendationsSchema = describes<Recommendations>()(
  z
    .strictObject({
      productId: z.int().min(1),
      source: z.enum(['recommender', 'fallback']).describe('`fallback`: the recommender failed; the items share a tag with the product.'),
      items: z.array(productSchema),
    })
    .meta({ id: 'Recommendations' }),
);
