import { Injectable } from '@nestjs/common';
import type { DegradationFallback, FallbackContext } from '../../degradation';
import { ZodValidationPipe } from '../../http';
import { productIdSchema } from '../catalog';
import { RecommendationsService } from './recommendations.service';
import type { Recommendations } from './recommendations.types';

const productId = new ZodValidationPipe(productIdSchema);

/**
 * What `GET /products/:id/recommendations` answers while the `recommendations`
 * switch is not `on` (an operator's choice or load shedding), without calling
 * the recommender:
 * - `fallback`: other products sharing a tag (the breaker's fallback too);
 * - `off`: an empty list, with no I/O at all.
 * The id is validated as the route's pipe would (the same 400), and an
 * unknown product is still a 404 under `fallback`.
 */
@Injectable()
export class RecommendationsFallback implements DegradationFallback {
  constructor(private readonly recommendations: RecommendationsService) {}

  async answer({ state, request }: FallbackContext): Promise<Recommendations> {
    const id = productId.transform((request.params as Record<string, unknown>)['id'], { type: 'param', data: 'id' });
    if (state === 'off') return { productId: id, source: 'fallback', items: [] };
    const { body } = await this.recommendations.fallback(id, 'E_FEATURE_DISABLED');
    // The degradation interceptor serialises what it is given: hand it the object, not the bytes.
    return Buffer.isBuffer(body) ? (JSON.parse(body.toString('utf8')) as Recommendations) : body;
  }
}
