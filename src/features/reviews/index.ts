/** The reviews feature: what other features and `AppModule` may use. */
export { reviewsConfig } from './reviews.config';
export { REVIEWS_MIGRATIONS, ReviewsModule } from './reviews.module';
export { ReviewsWritesModule } from './reviews-writes.module';
export { ReviewsJobsModule } from './reviews-jobs.module';
export type { Review } from './review.types';
