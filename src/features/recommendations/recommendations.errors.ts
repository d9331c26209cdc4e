/**
 * Why a recommender call failed:
 * - `connection`: no answer (refused, reset, DNS): retryable;
 * - `status`: an HTTP error status; 5xx and 429 are retryable, others are not;
 * - `malformed`: a 200 whose body is not the wire format (`{"productIds":[…]}`): not retryable.
 */
export type RecommenderFailure = 'connection' | 'status' | 'malformed';

/**
 * A failed recommender call. It never reaches a client: the feature serves
 * its fallback instead. Counts as a failure for the `recommender` breaker;
 * `retryable` tells the policy whether another attempt may help.
 */
export class RecommenderError extends Error {
  readonly code = 'E_RECOMMENDER';
  readonly retryable: boolean;

  constructor(
    readonly failure: RecommenderFailure,
    detail: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(`recommender ${failure}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RecommenderError';
    this.retryable = failure === 'connection' || (failure === 'status' && (options.status! >= 500 || options.status === 429));
  }
}
