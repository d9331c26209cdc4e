import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Degradable } from '../../degradation';
import { ZodValidationPipe } from '../../http';
import { productIdSchema } from '../catalog';
import { RECOMMENDATIONS_FEATURE } from './recommendations.constants';
import { RecommendationsService } from './recommendations.service';
import type { Recommendations } from './recommendations.types';

const productId = new ZodValidationPipe(productIdSchema);

/**
 * `GET /products/:id/recommendations`. A NON-ESSENTIAL feature: when it is
 * switched off or shed under load, the product pages must still work.
 */
@Controller('products')
export class RecommendationsController {
  constructor(private readonly recommendations: RecommendationsService) {}

  /**
   * Recommended products for `:id` (400 on a bad id, 404 on an unknown one).
   * A fallback answer carries `x-fallback: recommendations` and
   * `x-fallback-reason: <error code>`. Behind the `recommendations` switch:
   * while it is not `on`, {@link RecommendationsFallback} answers instead
   * (with `x-degraded: recommendations`).
   */
  @Get(':id/recommendations')
  @Degradable(RECOMMENDATIONS_FEATURE)
  async get(@Param('id', productId) id: number, @Res({ passthrough: true }) reply: FastifyReply): Promise<Recommendations | Buffer> {
    const { body, fallbackReason } = await this.recommendations.forProduct(id);
    if (fallbackReason !== undefined) void reply.header('x-fallback', RECOMMENDATIONS_FEATURE).header('x-fallback-reason', fallbackReason);
    // A fallback is JSON bytes from the cache, sent without serialising again.
    if (Buffer.isBuffer(body)) void reply.type('application/json; charset=utf-8');
    return body;
  }
}
