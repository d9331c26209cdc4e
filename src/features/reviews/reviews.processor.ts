import { Logger } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { REVIEW_MODERATION_QUEUE } from './reviews.constants';
import type { ReviewModerationJob } from './reviews.jobs';

/**
 * Moderates one new review (APP_ROLE worker|all): the hook where a moderation service is called
 * with `job.id` as its idempotency key (a job may run twice: a worker killed mid-job). A throw
 * fails the attempt: retried with the jobs kit's spaced, jittered backoff (`JOBS_*`), then a dead
 * letter (`/admin/dead-letters/review-moderation`). Today it records that the review was seen.
 */
@Processor(REVIEW_MODERATION_QUEUE)
export class ReviewModerationProcessor extends WorkerHost {
  private readonly logger = new Logger('ReviewModeration');

  async process(job: Job<ReviewModerationJob>): Promise<void> {
    this.logger.debug({ jobId: job.id, reviewId: job.data.reviewId, productId: job.data.productId }, 'review moderated');
  }
}
