import type { Job } from 'bullmq';
import { moderationJobKey, type ReviewModerationJob } from './reviews.jobs';
import { ReviewModerationProcessor } from './reviews.processor';

describe('review moderation jobs', () => {
  it('keys a job by review and version, in the three parts BullMQ allows', () => {
    expect(moderationJobKey({ reviewId: 7, version: 1 })).toBe('review:7:v1');
  });

  it('moderates a review', async () => {
    const job = { id: 'review:7:v1', data: { reviewId: 7, productId: 3, version: 1 } } as Job<ReviewModerationJob>;
    await expect(new ReviewModerationProcessor().process(job)).resolves.toBeUndefined();
  });
});
