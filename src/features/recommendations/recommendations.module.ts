import { Module } from '@nestjs/common';
import { ResilienceModule } from '../../resilience/resilience.module';
import { CatalogModule } from '../catalog/catalog.module';
import { RECOMMENDER_POLICY } from './recommendations.constants';
import { recommendationsConfig, type RecommendationsConfig } from './recommendations.config';
import { RecommendationsController } from './recommendations.controller';
import { RecommendationsService } from './recommendations.service';
import { RecommenderClient } from './recommender.client';

/**
 * Recommendations: a downstream recommender behind the `recommender`
 * resilience policy, with related products from the catalog as fallback.
 * Non-essential (see the controller). Needs `ResilienceModule.forRoot()`.
 */
@Module({
  imports: [
    CatalogModule,
    ResilienceModule.forFeature({
      name: RECOMMENDER_POLICY,
      inject: [recommendationsConfig.token],
      useFactory: (config: RecommendationsConfig) => config.policy,
    }),
  ],
  controllers: [RecommendationsController],
  providers: [RecommendationsService, RecommenderClient],
})
export class RecommendationsModule {}
