import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Cached } from '../../cache';
import { Degradable } from '../../degradation';
import { ApiRoute, ZodValidationPipe, type ProblemSpec } from '../../http';
import { productIdSchema } from '../catalog';
import { AUTHOR_HEADER, REVIEWS_FEATURE } from './reviews.constants';
import { RatingFallback } from './reviews.fallback';
import { ReviewsService } from './reviews.service';
import { ratingKeyFromParams } from './review.cache';
import { authorIdSchema, createReviewSchema, parseAuthorId, reviewIdSchema, type CreateReviewDto, type ReviewPageQuery } from './review.dto';
import { ReviewPageQueryPipe } from './review-page-query.pipe';
import { ratingSchema, reviewPageSchema, reviewSchema, type Rating, type Review, type ReviewPage } from './review.types';

const productId = new ZodValidationPipe(productIdSchema);
const reviewId = new ZodValidationPipe(reviewIdSchema);

// The contract pieces the routes share (the OpenAPI document).
const PRODUCT_NOT_FOUND: ProblemSpec = { status: 404, code: 'E_NOT_FOUND', when: 'no product has this id' };
const PENDING_UNREADABLE: ProblemSpec = {
  status: 503,
  code: 'E_PENDING_WRITES_UNREADABLE',
  when: "the product's writes not yet in PostgreSQL could not be read in time",
};
const AUTHOR = { [AUTHOR_HEADER]: { description: 'The author of the write: a UUID (authentication is the gateway’s). Required.', schema: authorIdSchema } };
const NOT_QUEUED: ProblemSpec = { status: 503, code: 'E_DEPENDENCY_UNAVAILABLE', when: 'the write could not be queued; nothing was kept' };

/**
 * `/products/:id/reviews` and `/products/:id/rating`: thin, one service call per route. All behind
 * the non-essential `reviews` switch; while it is not `on` the rating answers its cached value
 * only ({@link RatingFallback}) and the other routes 503.
 */
@Controller('products')
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Get(':id/reviews')
  @ApiRoute({
    summary: "A page of a product's reviews",
    description:
      'Newest first: `limit`, and `cursor` from the previous page; a cursor past the end answers an empty page. Cached per product, dropped by its writes.',
    response: reviewPageSchema,
    problems: [PRODUCT_NOT_FOUND, PENDING_UNREADABLE],
  })
  @Degradable(REVIEWS_FEATURE)
  page(@Param('id', productId) id: number, @Query(ReviewPageQueryPipe) query: ReviewPageQuery): Promise<ReviewPage> {
    return this.reviews.page(id, query.beforeId, query.limit);
  }

  /** Cached (L1/L2, dropped on every pod by each review written and again once it lands); a 404 is cached briefly. */
  @Get(':id/rating')
  @ApiRoute({
    summary: "A product's rating: count and mean of its reviews",
    description:
      'Over the reviews landed in PostgreSQL (a review just written counts within milliseconds). While the `reviews` switch is not `on`: the cached rating only, or 503.',
    response: ratingSchema,
    problems: [PRODUCT_NOT_FOUND, PENDING_UNREADABLE],
  })
  @Degradable(REVIEWS_FEATURE, { fallback: RatingFallback })
  @Cached({ key: ratingKeyFromParams })
  rating(@Param('id', productId) id: number): Promise<Rating> {
    return this.reviews.rating(id);
  }

  @Post(':id/reviews')
  @HttpCode(201)
  @ApiRoute({
    summary: 'Reviews a product (written behind)',
    description: `One review per author (\`${AUTHOR_HEADER}\`) per product. Accepted at once; in the pages and the rating once it has landed (milliseconds).`,
    response: reviewSchema,
    requestHeaders: AUTHOR,
    problems: [
      PRODUCT_NOT_FOUND,
      { status: 409, code: 'E_DUPLICATE_REVIEW', when: 'this author has reviewed this product already' },
      NOT_QUEUED,
      PENDING_UNREADABLE,
    ],
  })
  @Degradable(REVIEWS_FEATURE)
  create(
    @Param('id', productId) id: number,
    @Headers(AUTHOR_HEADER) author: string | undefined,
    @Body(new ZodValidationPipe(createReviewSchema)) body: CreateReviewDto,
  ): Promise<Review> {
    return this.reviews.create(id, parseAuthorId(author), body);
  }

  @Delete(':id/reviews/:reviewId')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Deletes a review, by its author (written behind)',
    requestHeaders: AUTHOR,
    problems: [
      { status: 404, code: 'E_NOT_FOUND', when: 'the product has no review with this id' },
      { status: 403, code: 'E_NOT_REVIEW_AUTHOR', when: `\`${AUTHOR_HEADER}\` is not the review's author` },
      NOT_QUEUED,
    ],
  })
  @Degradable(REVIEWS_FEATURE)
  async delete(
    @Param('id', productId) id: number,
    @Param('reviewId', reviewId) review: number,
    @Headers(AUTHOR_HEADER) author: string | undefined,
  ): Promise<void> {
    await this.reviews.delete(id, review, parseAuthorId(author));
  }
}
