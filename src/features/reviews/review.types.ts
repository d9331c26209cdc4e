import { z } from 'zod';
import { describes } from '../../http';

/** One review of a product, as the API returns it. */
export interface Review {
  readonly id: number;
  readonly productId: number;
  /** The author (a UUID, lower case): one review per author per product. */
  readonly authorId: string;
  /** 1 to 5. */
  readonly rating: number;
  readonly text: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The fields a client sets. */
export interface ReviewInput {
  readonly rating: number;
  readonly text: string;
}

/** What a write of a review records and flushes (id, version and createdAt travel beside it). */
export interface ReviewState extends ReviewInput {
  readonly productId: number;
  readonly authorId: string;
  readonly updatedAt: string;
}

/** `GET /products/:id/reviews`: one page, newest first; `nextCursor` is null on the last page. */
export interface ReviewPage {
  readonly items: readonly Review[];
  readonly nextCursor: string | null;
}

/** `GET /products/:id/rating`: the aggregate of a product's reviews in PostgreSQL. */
export interface Rating {
  readonly productId: number;
  readonly count: number;
  /** The mean rating, rounded to two decimals; null without reviews. */
  readonly mean: number | null;
}

// Response schemas: what the OpenAPI document publishes; `describes` keeps each one true to its interface.
const safeId = z.int().min(1).max(Number.MAX_SAFE_INTEGER);

/** {@link Review} as the OpenAPI document publishes it. */
export const reviewSchema = describes<Review>()(
  z
    .strictObject({
      id: safeId,
      productId: safeId,
      authorId: z.uuid(),
      rating: z.int().min(1).max(5),
      text: z.string(),
      version: z.int().min(1),
      createdAt: z.iso.datetime(),
      updatedAt: z.iso.datetime(),
    })
    .meta({ id: 'Review' }),
);

/** {@link ReviewPage} as the OpenAPI document publishes it. */
export const reviewPageSchema = describes<ReviewPage>()(
  z
    .strictObject({
      items: z.array(reviewSchema).describe('Newest first.'),
      nextCursor: z.string().nullable().describe('`cursor` of the next page; null on the last page.'),
    })
    .meta({ id: 'ReviewPage' }),
);

/** {@link Rating} as the OpenAPI document publishes it. */
export const ratingSchema = describes<Rating>()(
  z
    .strictObject({
      productId: safeId,
      count: z.int().min(0).describe('Reviews landed in PostgreSQL (a review just written counts once it has landed, within milliseconds).'),
      mean: z.number().min(1).max(5).nullable().describe('Mean rating, two decimals; null without reviews.'),
    })
    .meta({ id: 'Rating' }),
);
