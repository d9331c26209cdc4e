/** The data of one moderation job: a new review (its id, product and version). */
export interface ReviewModerationJob {
  readonly reviewId: number;
  readonly productId: number;
  readonly version: number;
}

/** The idempotency key (BullMQ job id) of one review version: `review:<id>:v<version>` (a `:` only as three parts). */
export function moderationJobKey(job: Pick<ReviewModerationJob, 'reviewId' | 'version'>): string {
  return `review:${job.reviewId}:v${job.version}`;
}
