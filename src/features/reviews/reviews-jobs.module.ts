import { Module } from '@nestjs/common';
import { JobsModule } from '../../jobs';
import { REVIEW_MODERATION_QUEUE } from './reviews.constants';
import { ReviewModerationProcessor } from './reviews.processor';
import { ReviewModerationPublisher } from './reviews.publisher';

/**
 * The moderation queue of reviews: the publisher (for the API) in every role, the processor
 * where the jobs kit runs workers (APP_ROLE worker|all). `ReviewsModule` imports it, and a worker
 * process loads it alone.
 */
@Module({
  imports: [JobsModule.forFeature({ name: REVIEW_MODERATION_QUEUE })],
  providers: [ReviewModerationPublisher, ReviewModerationProcessor],
  exports: [ReviewModerationPublisher],
})
export class ReviewsJobsModule {}
