/** Name of the reviews feature: its degradation switch (`@Degradable('reviews')`) and its config section. */
export const REVIEWS_FEATURE = 'reviews';

/** The write-behind entity of reviews (the table): names its queue and its Redis keys. */
export const REVIEWS_ENTITY = 'reviews';

/** The job queue of review moderation (`@Processor(REVIEW_MODERATION_QUEUE)`, `/admin/dead-letters/review-moderation`). */
export const REVIEW_MODERATION_QUEUE = 'review-moderation';

/** The request header naming the author of a review write (a UUID; authentication is the gateway's). */
export const AUTHOR_HEADER = 'x-author-id';
