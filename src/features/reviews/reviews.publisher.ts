import { Injectable, Logger } from '@nestjs/common';
import { InjectJobProducer, type JobProducer } from '../../jobs';
import { LogThrottle } from '../../logging';
import { REVIEW_MODERATION_QUEUE } from './reviews.constants';
import { moderationJobKey, type ReviewModerationJob } from './reviews.jobs';

/**
 * Queues the moderation of a new review under its idempotency key (one job per review
 * version, however often it is published).
 *
 * Degrades to no moderation job: the review is accepted already, so a queue that cannot take
 * the job (Redis down) does not fail it; the loss is logged (throttled) and counted
 * (`bulwark_jobs_add_failures_total`).
 */
@Injectable()
export class ReviewModerationPublisher {
  private readonly logger = new Logger('ReviewModeration');
  private readonly throttle = new LogThrottle(1, 5);

  constructor(@InjectJobProducer(REVIEW_MODERATION_QUEUE) private readonly jobs: JobProducer<ReviewModerationJob>) {}

  async publish(job: ReviewModerationJob): Promise<void> {
    try {
      await this.jobs.add(moderationJobKey(job), { reviewId: job.reviewId, productId: job.productId, version: job.version });
    } catch (error) {
      const suppressed = this.throttle.take();
      if (suppressed !== undefined)
        this.logger.warn({ reviewId: job.reviewId, suppressed, err: { message: (error as Error).message } }, 'review moderation job not queued');
    }
  }
}
