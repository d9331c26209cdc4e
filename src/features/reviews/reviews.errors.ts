import { ApiError, ConflictError, ResourceNotFoundError } from '../../http';

/** 404: no review with this id on this product. */
export class ReviewNotFoundError extends ResourceNotFoundError {
  constructor(productId: number, reviewId: number) {
    super(`Product ${productId} has no review ${reviewId}.`);
  }
}

/** 409: this author has reviewed this product already (one review per author per product). */
export class DuplicateReviewError extends ConflictError {
  override readonly code = 'E_DUPLICATE_REVIEW';

  constructor(productId: number) {
    super(`This author has reviewed product ${productId} already: delete that review first.`);
  }
}

/** 403: a review is deleted by its author only. */
export class NotReviewAuthorError extends ApiError {
  readonly status = 403;
  readonly code = 'E_NOT_REVIEW_AUTHOR';
  readonly title = 'Forbidden';

  constructor(reviewId: number) {
    super(`Review ${reviewId} is not by this author: only its author may delete it.`);
  }
}

/** 503: the reviews switch is not `on` and no rating of this product is cached (the fallback serves cached ratings only). */
export class RatingNotCachedError extends ApiError {
  readonly status = 503;
  readonly code = 'E_FEATURE_DISABLED';
  readonly title = 'Service unavailable';

  constructor(productId: number) {
    super(`Reviews are switched off for now and no rating of product ${productId} is cached. Try again later.`, { headers: { 'retry-after': '5' } });
  }
}
