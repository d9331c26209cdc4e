import { z } from 'zod';
import { defineConfig, type ConfigOf, intVar } from '../../config';

/** The reviews feature's settings. */
export const reviewsConfig = defineConfig(
  'reviews',
  z.object({
    REVIEWS_PAGE_LIMIT_DEFAULT: intVar(20, 1, 1000).describe('Page size of GET /products/:id/reviews when no limit is given.'),
    REVIEWS_PAGE_LIMIT_MAX: intVar(100, 1, 1000).describe('Largest page size GET /products/:id/reviews accepts.'),
  }),
  (env) => ({
    pageLimitDefault: Math.min(env.REVIEWS_PAGE_LIMIT_DEFAULT, env.REVIEWS_PAGE_LIMIT_MAX),
    pageLimitMax: env.REVIEWS_PAGE_LIMIT_MAX,
  }),
);
export type ReviewsConfig = ConfigOf<typeof reviewsConfig>;
