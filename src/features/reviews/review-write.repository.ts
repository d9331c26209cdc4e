import { Injectable, Logger } from '@nestjs/common';
import { CacheService } from '../../cache';
import { DatabaseService } from '../../database';
import type { RowState, WriteBehindStore, WriteOp, WriteOutcome, WriteRequest } from '../../write-behind';
import { productReviewsTag, ratingKey } from './review.cache';
import type { ReviewState } from './review.types';

type StateRow = { id: string; version: number; unique: string; created_at: Date | null; deleted: boolean };

/** The unique value of a review: one per author per product. */
export function reviewUnique(productId: number, authorId: string): string {
  return `${productId}:${authorId}`;
}

/**
 * The write SQL of reviews, as the write-behind kit calls it: batched, idempotent,
 * version-guarded inserts and versioned deletes, the row states the edge checks need (with
 * `<productId>:<authorId>` as the unique value), ids from the table's sequence, and the
 * synchronous writes of `WRITE_BEHIND_REDIS_DOWN_MODE=sync`.
 *
 * After each flush the cached pages and rating of every product it touched are dropped (on
 * every pod): they were read from PostgreSQL, which holds these reviews only now. The service
 * drops them at write time too; this second drop is what keeps the rating right, since a read
 * between the write and its landing loads (and caches) the aggregate without it.
 */
@Injectable()
export class ReviewWriteRepository implements WriteBehindStore<ReviewState> {
  private readonly logger = new Logger('ReviewWriteRepository');

  constructor(
    private readonly db: DatabaseService,
    private readonly cache: CacheService,
  ) {}

  whenReady(): Promise<void> {
    return this.db.whenReady();
  }

  uniqueOf(state: ReviewState): string {
    return reviewUnique(state.productId, state.authorId);
  }

  async loadStates(afterId: number, limit: number): Promise<RowState[]> {
    const rows = await this.db.query<StateRow>(
      `SELECT id, version, product_id || ':' || author_id AS unique, created_at, false AS deleted FROM reviews WHERE id > $1
       UNION ALL
       SELECT id, version, '', NULL, true FROM review_tombstones WHERE id > $1
       ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(toRowState);
  }

  async currentState(id: number): Promise<RowState | undefined> {
    const rows = await this.db.query<StateRow>(
      `SELECT id, version, product_id || ':' || author_id AS unique, created_at, false AS deleted FROM reviews WHERE id = $1
       UNION ALL
       SELECT id, version, '', NULL, true FROM review_tombstones WHERE id = $1`,
      [id],
    );
    return rows[0] && toRowState(rows[0]);
  }

  async reserveIds(count: number): Promise<number[]> {
    const rows = await this.db.query<{ id: string }>("SELECT nextval(pg_get_serial_sequence('reviews', 'id')) AS id FROM generate_series(1, $1)", [count]);
    return rows.map((row) => Number(row.id));
  }

  /** Deletes first (guarded delete + tombstones), then every insert in one multi-row statement; replays change nothing. */
  async flush(ops: ReadonlyArray<WriteOp<ReviewState>>): Promise<void> {
    const touched = new Set<number>();
    const deletes = ops.filter((op) => op.kind === 'delete');
    const upserts = ops.filter((op) => op.kind === 'upsert');
    if (deletes.length > 0) {
      const rows = await this.db.query<{ product_id: string }>(
        `WITH d AS (SELECT * FROM unnest($1::bigint[], $2::int[]) AS d(id, version)),
              t AS (INSERT INTO review_tombstones (id, version) SELECT id, version FROM d
                    ON CONFLICT (id) DO UPDATE SET version = GREATEST(review_tombstones.version, excluded.version))
         DELETE FROM reviews r USING d WHERE r.id = d.id AND r.version < d.version RETURNING r.product_id`,
        [deletes.map((op) => op.id), deletes.map((op) => op.version)],
      );
      for (const row of rows) touched.add(Number(row.product_id));
    }
    if (upserts.length > 0) {
      const records = upserts.map((op) => ({
        id: op.id,
        product_id: op.state.productId,
        author_id: op.state.authorId,
        rating: op.state.rating,
        text: op.state.text,
        version: op.version,
        created_at: op.meta,
        updated_at: op.state.updatedAt,
      }));
      await this.db.query(
        `INSERT INTO reviews (id, product_id, author_id, rating, text, version, created_at, updated_at)
         SELECT r.id, r.product_id, r.author_id, r.rating, r.text, r.version, r.created_at, r.updated_at
           FROM jsonb_to_recordset($1::jsonb)
                AS r(id bigint, product_id bigint, author_id uuid, rating smallint, text text, version integer, created_at timestamptz, updated_at timestamptz)
          WHERE NOT EXISTS (SELECT 1 FROM review_tombstones t WHERE t.id = r.id AND t.version >= r.version)
         ON CONFLICT (id) DO UPDATE SET rating = excluded.rating, text = excluded.text, version = excluded.version, updated_at = excluded.updated_at
          WHERE reviews.version < excluded.version`,
        [JSON.stringify(records)],
      );
      for (const op of upserts) touched.add(op.state.productId);
    }
    await this.dropCached([...touched]);
  }

  /** One statement straight to PostgreSQL, for `WRITE_BEHIND_REDIS_DOWN_MODE=sync` (the one-per-author check is a read before it there). */
  async writeSync(request: WriteRequest<ReviewState>): Promise<WriteOutcome> {
    switch (request.kind) {
      case 'create': {
        const s = request.state;
        const rows = await this.db.query<{ id: string | null }>(
          `INSERT INTO reviews (product_id, author_id, rating, text, created_at, updated_at)
           SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM reviews WHERE product_id = $1 AND author_id = $2)
           RETURNING id`,
          [s.productId, s.authorId, s.rating, s.text, request.meta, s.updatedAt],
        );
        if (!rows[0]) return { kind: 'duplicate', ownerId: 0 };
        await this.dropCached([s.productId]);
        return { kind: 'accepted', id: Number(rows[0].id), version: 1, meta: request.meta, path: 'sync' };
      }
      case 'update':
        // Reviews are not edited (delete and write again): the service never asks for an update.
        throw new Error('reviews are not updated in place');
      case 'delete': {
        const rows = await this.db.query<{ version: number; product_id: string }>(
          `WITH d AS (DELETE FROM reviews WHERE id = $1 AND ($2::int IS NULL OR version = $2) RETURNING id, product_id, version + 1 AS version),
                t AS (INSERT INTO review_tombstones (id, version) SELECT id, version FROM d
                      ON CONFLICT (id) DO UPDATE SET version = GREATEST(review_tombstones.version, excluded.version))
           SELECT version, product_id FROM d`,
          [request.id, request.expectedVersion ?? null],
        );
        if (!rows[0]) return this.whyNotWritten(request.id);
        await this.dropCached([Number(rows[0].product_id)]);
        return { kind: 'accepted', id: request.id, version: rows[0].version, meta: '', path: 'sync' };
      }
      default: {
        const unknown: never = request;
        throw new Error(`unknown write ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** A corrected row (a dead letter, a replay): its product's cached pages and rating are dropped. */
  async onStateCorrected(id: number): Promise<void> {
    const rows = await this.db.query<{ product_id: string }>('SELECT product_id FROM reviews WHERE id = $1', [id]);
    await this.dropCached(rows.map((row) => Number(row.product_id)));
  }

  private async whyNotWritten(id: number): Promise<WriteOutcome> {
    const rows = await this.db.query<{ version: number }>('SELECT version FROM reviews WHERE id = $1', [id]);
    return rows[0] ? { kind: 'stale', currentVersion: rows[0].version } : { kind: 'missing' };
  }

  /** A failure here must not fail a flush that landed: the cached answers then expire by their TTL (logged). */
  private async dropCached(productIds: readonly number[]): Promise<void> {
    if (productIds.length === 0) return;
    try {
      await this.cache.delete(...productIds.map(ratingKey));
      await Promise.all(productIds.map((id) => this.cache.deleteByTag(productReviewsTag(id))));
    } catch (error) {
      this.logger.warn({ products: productIds.length, err: { message: (error as Error).message } }, 'cached reviews not dropped after a flush');
    }
  }
}

function toRowState(row: StateRow): RowState {
  return { id: Number(row.id), version: row.version, deleted: row.deleted, unique: row.unique, meta: row.created_at ? row.created_at.toISOString() : '' };
}
