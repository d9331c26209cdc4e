/** The job queue of product events. */
export const PRODUCT_EVENTS_QUEUE = 'product-events';

/** The resilience policy around the webhook (timeout, breaker). */
export const PRODUCT_EVENTS_POLICY = 'product-events-webhook';

/** Header carrying the product's version, so a receiver drops reordered deliveries. */
export const VERSION_HEADER = 'x-product-version';
