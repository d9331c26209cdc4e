import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database';
import type { Rating, Review } from './review.types';

/** A reviews row as node-postgres returns it (bigint arrives as a string). */
interface ReviewRow {
  id: string;
  product_id: string;
  author_id: string;
  rating: number;
  text: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, product_id, author_id, rating, text, version, created_at, updated_at';

/** The reads of reviews: one round trip each, parameterised SQL (writes: `ReviewWriteRepository`). */
@Injectable()
export class ReviewRepository {
  constructor(private readonly db: DatabaseService) {}

  async findById(id: number): Promise<Review | undefined> {
    const rows = await this.db.query<ReviewRow>(`SELECT ${COLUMNS} FROM reviews WHERE id = $1`, [id]);
    return rows[0] && toReview(rows[0]);
  }

  /** Keyset page, newest first: up to `limit` reviews of `productId` older than `beforeId` (0: from the newest). Index `reviews_product_id_idx`. */
  async findPage(productId: number, beforeId: number, limit: number): Promise<Review[]> {
    const rows = await this.db.query<ReviewRow>(
      `SELECT ${COLUMNS} FROM reviews WHERE product_id = $1 AND ($2::bigint = 0 OR id < $2) ORDER BY id DESC LIMIT $3`,
      [productId, beforeId, limit],
    );
    return rows.map(toReview);
  }

  /** Count and mean of the product's reviews, in one aggregate over the same index. */
  async rating(productId: number): Promise<Rating> {
    const [row] = await this.db.query<{ count: number; mean: number | null }>(
      'SELECT count(*)::int AS count, round(avg(rating), 2)::float8 AS mean FROM reviews WHERE product_id = $1',
      [productId],
    );
    return { productId, count: row.count, mean: row.mean };
  }
}

function toReview(row: ReviewRow): Review {
  return {
    id: Number(row.id),
    productId: Number(row.product_id),
    authorId: row.author_id,
    rating: row.rating,
    text: row.text,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
