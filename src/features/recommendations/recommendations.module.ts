import { Module } from '@nestjs/common';
import { DegradationModule } from '../../degradation';
import { ResilienceModule } from '../../resilience';
import { CatalogModule } from '../catalog';
import { RECOMMENDATIONS_FEATURE, RECOMMENDER_POLICY } from './recommendations.constants';
import { recommendationsConfig, type RecommendationsConfig } from './recommendations.config';
import { RecommendationsController } from './recommendations.controller';
import { RecommendationsFallback } from './recommendations.fallback';
import { RecommendationsService } from './recommendations.service';
import { RecommenderClient } from './recommender.client';

/**
 * Recommendations: a downstream recommender behind the `recommender`
 * resilience policy, with related products from the catalog as fallback.
 * Non-essential: behind the `recommendations` switch, which load shedding may
 * turn to `fallback`. Needs `ResilienceModule.forRoot()` and `DegradationModule`.
 */
@Module({
  imports: [
    CatalogModule,
    // Non-essential: load shedding may turn it to its fallback.
    DegradationModule.forFeature({ feature: RECOMMENDATIONS_FEATURE, essential: false, fallback: RecommendationsFallback }),
    ResilienceModule.forFeature({
      name: RECOMMENDER_POLICY,
      inject: [recommendationsConfig.token],
      useFactory: (config: RecommendationsConfig) => config.policy,
    }),
  ],
  controllers: [RecommendationsController],
  providers: [RecommendationsService, RecommenderClient, RecommendationsFallback],
})
export class RecommendationsModule {}
