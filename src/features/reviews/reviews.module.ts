import { Module } from '@nestjs/common';
import { DegradationModule } from '../../degradation';
import { CatalogModule } from '../catalog';
import { REVIEWS_FEATURE } from './reviews.constants';
import { RatingFallback } from './reviews.fallback';
import { ReviewsJobsModule } from './reviews-jobs.module';
import { ReviewsWritesModule } from './reviews-writes.module';
import { ReviewsController } from './reviews.controller';
import { ReviewsService } from './reviews.service';
import { CreateReviews1796324298754 } from './migrations/1796324298754-create-reviews';
import { ReviewPageQueryPipe } from './review-page-query.pipe';
import { ReviewRepository } from './review.repository';

/** Migrations of reviews, in order; `AppModule` hands them to `DatabaseModule`. */
export const REVIEWS_MIGRATIONS = [CreateReviews1796324298754];

/**
 * Product reviews: pages and a rating cached per product, write-behind writes (one review per
 * author per product), a moderation job per new review. Non-essential: behind the `reviews`
 * switch, which load shedding may turn to `fallback` (the cached rating only).
 * Products come from the catalog (`CatalogService.findMany`, cached).
 */
@Module({
  imports: [CatalogModule, ReviewsWritesModule, ReviewsJobsModule, DegradationModule.forFeature({ feature: REVIEWS_FEATURE, essential: false })],
  controllers: [ReviewsController],
  providers: [ReviewsService, ReviewRepository, ReviewPageQueryPipe, RatingFallback],
})
export class ReviewsModule {}
