import { parseReviewId } from './review.dto';

/** Tag of every cached page of a product's reviews: a write to them drops them all (`cache.deleteByTag`). */
export function productReviewsTag(productId: number): string {
  return `reviews:product:${productId}`;
}

/** Cache key of one page of a product's reviews. */
export function reviewPageKey(productId: number, beforeId: number, limit: number): string {
  return `review-page:${productId}:${beforeId}:${limit}`;
}

/** Cache key of a product's rating. */
export function ratingKey(productId: number): string {
  return `review-rating:${productId}`;
}

/**
 * The cache key of `GET /products/:id/rating`: only for a valid id (the same rule as the catalog's),
 * so a bad one never costs a cache lookup and meets validation (400). On the L1 fast path: a regex.
 */
export function ratingKeyFromParams(params: Readonly<Record<string, string | undefined>>): string | undefined {
  const id = parseReviewId(params['id'] ?? '');
  return id === undefined ? undefined : ratingKey(id);
}
