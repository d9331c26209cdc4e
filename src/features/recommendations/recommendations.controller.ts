import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Degradable } from '../../degradation';
import { z } from 'zod';
import { ApiRoute, ZodValidationPipe } from '../../http';
import { productIdSchema } from '../catalog';
import { RECOMMENDATIONS_FEATURE } from './recommendations.constants';
import { RecommendationsService } from './recommendations.service';
import { recommendationsSchema, type Recommendations } from './recommendations.types';

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
  @ApiRoute({
    summary: 'Products recommended for a product',
    description:
      'From the downstream recommender; on its failure (or open breaker) products sharing a tag, marked `x-fallback`. Behind the `recommendations` switch: ' +
      '`fallback` answers related products, `off` an empty list, both with `x-degraded`.',
    response: recommendationsSchema,
    headers: {
      'x-fallback': {
        description: 'Set (to `recommendations`) when the recommender failed and the related products answered.',
        schema: z.literal('recommendations'),
      },
      'x-fallback-reason': { description: "The code of the recommender's failure (`E_TIMEOUT`, `E_BREAKER_OPEN`, …).", schema: z.string() },
    },
    problems: [
      { status: 404, code: 'E_NOT_FOUND', when: 'no product has this id' },
      { status: 503, code: 'E_PENDING_WRITES_UNREADABLE', when: "the product's writes not yet in PostgreSQL could not be read in time" },
    ],
  })
  @Degradable(RECOMMENDATIONS_FEATURE)
  async get(@Param('id', productId) id: number, @Res({ passthrough: true }) reply: FastifyReply): Promise<Recommendations | Buffer> {
    const { body, fallbackReason } = await this.recommendations.forProduct(id);
    if (fallbackReason !== undefined) void reply.header('x-fallback', RECOMMENDATIONS_FEATURE).header('x-fallback-reason', fallbackReason);
    // A fallback is JSON bytes from the cache, sent without serialising again.
    if (Buffer.isBuffer(body)) void reply.type('application/json; charset=utf-8');
    return body;
  }
}
