import { Injectable, Logger } from '@nestjs/common';
import { CacheService } from '../../cache';
import type { DegradationFallback, FallbackContext } from '../../degradation';
import { ZodValidationPipe } from '../../http';
import { LogThrottle } from '../../logging';
import { productIdSchema } from '../catalog';
import { RatingNotCachedError } from './reviews.errors';
import { ratingKey } from './review.cache';
import type { Rating } from './review.types';

const productId = new ZodValidationPipe(productIdSchema);

/**
 * What `GET /products/:id/rating` answers while the `reviews` switch is not `on` (an operator's
 * choice or load shedding; reviews are non-essential): the cached rating only, fresh or stale,
 * from L1 or L2, with no PostgreSQL query and no product lookup; 503 `E_FEATURE_DISABLED` when
 * none is cached. The id is validated as the route's pipe would (the same 400). The other review
 * routes have no fallback: 503 while the switch is not `on`. Each fallback answer carries
 * `x-degraded: reviews` and is counted in `bulwark_degradation_fallbacks_total`; the misses are
 * logged (at most one line per 10 s).
 */
@Injectable()
export class RatingFallback implements DegradationFallback {
  private readonly logger = new Logger('RatingFallback');
  private readonly misses = new LogThrottle(0.1, 1);

  constructor(private readonly cache: CacheService) {}

  async answer({ request }: FallbackContext): Promise<Rating> {
    const id = productId.transform((request.params as Record<string, unknown>)['id'], { type: 'param', data: 'id' });
    const cached = await this.cache.peek<Rating>(ratingKey(id));
    if (cached !== undefined) return cached;
    const suppressed = this.misses.take();
    if (suppressed !== undefined) this.logger.warn({ productId: id, suppressed }, 'reviews degraded: no cached rating to serve');
    throw new RatingNotCachedError(id);
  }
}
