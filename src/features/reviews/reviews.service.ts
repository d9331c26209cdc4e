import { Injectable } from '@nestjs/common';
import { CacheService } from '../../cache';
import { InjectWriteBehind, type PendingOp, type WriteBehind, type WriteOutcome } from '../../write-behind';
import { CatalogService, ProductNotFoundError } from '../catalog';
import { REVIEWS_ENTITY } from './reviews.constants';
import { DuplicateReviewError, NotReviewAuthorError, ReviewNotFoundError } from './reviews.errors';
import { ReviewModerationPublisher } from './reviews.publisher';
import { productReviewsTag, ratingKey, reviewPageKey } from './review.cache';
import { encodeReviewCursor } from './review.dto';
import { ReviewRepository } from './review.repository';
import { reviewUnique } from './review-write.repository';
import type { Rating, Review, ReviewInput, ReviewPage, ReviewState } from './review.types';

const EMPTY_PAGE: ReviewPage = { items: [], nextCursor: null };

/**
 * The rules of product reviews: pages (newest first, cached per product under a tag), the
 * rating (count and mean, cached by `@Cached()` on its route), and write-behind writes: one
 * review per author per product (the write-behind kit's unique value, checked atomically in
 * Redis: 409 on a second), deleted by its author only. Each write drops the product's cached
 * pages and rating on every pod, and again once it has landed in PostgreSQL (see
 * `ReviewWriteRepository.flush`); each new review queues a moderation job.
 * Unknown products are 404 on every route (the catalog's cached lookup).
 */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly reviews: ReviewRepository,
    private readonly cache: CacheService,
    @InjectWriteBehind(REVIEWS_ENTITY) private readonly writes: WriteBehind<ReviewState>,
    private readonly catalog: CatalogService,
    private readonly moderation: ReviewModerationPublisher,
  ) {}

  /** A page of the product's reviews, newest first; a cursor past the end answers an empty page. */
  async page(productId: number, beforeId: number, limit: number): Promise<ReviewPage> {
    await this.requireProduct(productId);
    const page = await this.cache.getOrLoad(
      reviewPageKey(productId, beforeId, limit),
      async (): Promise<ReviewPage> => {
        // One extra row tells whether another page follows without a COUNT.
        const rows = await this.reviews.findPage(productId, beforeId, limit + 1);
        const items = rows.slice(0, limit);
        return { items, nextCursor: rows.length > limit ? encodeReviewCursor(items[items.length - 1].id) : null };
      },
      { tags: [productReviewsTag(productId)] },
    );
    return page ?? EMPTY_PAGE;
  }

  /** Count and mean of the product's reviews in PostgreSQL; `GET /products/:id/rating` caches it. */
  async rating(productId: number): Promise<Rating> {
    await this.requireProduct(productId);
    return this.reviews.rating(productId);
  }

  async create(productId: number, authorId: string, input: ReviewInput): Promise<Review> {
    await this.requireProduct(productId);
    const now = new Date().toISOString();
    const state: ReviewState = { productId, authorId, rating: input.rating, text: input.text, updatedAt: now };
    const outcome = await this.writes.write({ kind: 'create', unique: reviewUnique(productId, authorId), meta: now, state });
    const review = accepted(productId, 0, outcome, state);
    await this.dropCached(productId);
    await this.moderation.publish({ reviewId: review.id, productId, version: review.version });
    return review;
  }

  /** Deletes review `reviewId` of product `productId` when `authorId` wrote it (403 otherwise, 404 when there is no such review). */
  async delete(productId: number, reviewId: number, authorId: string): Promise<void> {
    const review = await this.find(reviewId);
    if (!review || review.productId !== productId) throw new ReviewNotFoundError(productId, reviewId);
    if (review.authorId !== authorId) throw new NotReviewAuthorError(reviewId);
    // Conditional on the version read: nothing may have replaced the review in between.
    accepted(productId, reviewId, await this.writes.write({ kind: 'delete', id: reviewId, expectedVersion: review.version }), undefined);
    await this.dropCached(productId);
  }

  /** A review as it is now: its pending write in Redis first, else PostgreSQL. */
  private async find(reviewId: number): Promise<Review | undefined> {
    const op = (await this.writes.pending([reviewId])).get(reviewId);
    return op ? fromPending(op) : this.reviews.findById(reviewId);
  }

  private async requireProduct(productId: number): Promise<void> {
    const [product] = await this.catalog.findMany([productId]);
    if (!product) throw new ProductNotFoundError(productId);
  }

  private async dropCached(productId: number): Promise<void> {
    await this.cache.delete(ratingKey(productId));
    await this.cache.deleteByTag(productReviewsTag(productId));
  }
}

/** The review a pending write makes, or undefined for a pending delete. */
function fromPending(op: PendingOp): Review | undefined {
  return op.kind === 'upsert' ? toReview(op.id, op.version, op.meta, op.state as ReviewState) : undefined;
}

/** The review a write produced, or the error that says why there is none. */
function accepted(productId: number, reviewId: number, outcome: WriteOutcome, state: ReviewState | undefined): Review {
  switch (outcome.kind) {
    case 'accepted':
      return state ? toReview(outcome.id, outcome.version, outcome.meta, state) : ({ id: outcome.id } as Review);
    case 'duplicate':
      throw new DuplicateReviewError(productId);
    case 'missing':
    case 'stale':
      // Deleted (or replaced) since it was read: as good as gone.
      throw new ReviewNotFoundError(productId, reviewId);
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown write outcome ${JSON.stringify(unknown)}`);
    }
  }
}

function toReview(id: number, version: number, createdAt: string, state: ReviewState): Review {
  return {
    id,
    productId: state.productId,
    authorId: state.authorId,
    rating: state.rating,
    text: state.text,
    version,
    createdAt,
    updatedAt: state.updatedAt,
  };
}
