import { Injectable, Logger } from '@nestjs/common';
import { CacheService } from '../../cache';
import { DatabaseService } from '../../database';
import type { RowState, WriteBehindStore, WriteOp, WriteOutcome, WriteRequest } from '../../write-behind';
import { {{THING}}_PAGES_TAG, {{thingCamel}}Key } from './{{thing}}.cache';
import type { {{Thing}}State } from './{{thing}}.types';

type StateRow = { id: string; version: number; created_at: Date | null; deleted: boolean };

/**
 * The write SQL of {{name}}, as the write-behind kit calls it: batched,
 * idempotent, version-guarded upserts and versioned deletes (a tombstone
 * keeps an old upsert replayed late from bringing a row back), the row
 * states the edge checks need, ids from the table's sequence, and the
 * synchronous writes of `WRITE_BEHIND_REDIS_DOWN_MODE=sync`.
 */
@Injectable()
export class {{Thing}}WriteRepository implements WriteBehindStore<{{Thing}}State> {
  private readonly logger = new Logger('{{Thing}}WriteRepository');

  constructor(
    private readonly db: DatabaseService,
    private readonly cache: CacheService,
  ) {}

  whenReady(): Promise<void> {
    return this.db.whenReady();
  }

  /** No field of a {{thing}} must be unique; return it here when one must (the kit then answers `duplicate`). */
  uniqueOf(_state: {{Thing}}State): string {
    return '';
  }

  async loadStates(afterId: number, limit: number): Promise<RowState[]> {
    const rows = await this.db.query<StateRow>(
      `SELECT id, version, created_at, false AS deleted FROM {{table}} WHERE id > $1
       UNION ALL
       SELECT id, version, NULL, true FROM {{thing_snake}}_tombstones WHERE id > $1
       ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(toRowState);
  }

  async currentState(id: number): Promise<RowState | undefined> {
    const rows = await this.db.query<StateRow>(
      `SELECT id, version, created_at, false AS deleted FROM {{table}} WHERE id = $1
       UNION ALL
       SELECT id, version, NULL, true FROM {{thing_snake}}_tombstones WHERE id = $1`,
      [id],
    );
    return rows[0] && toRowState(rows[0]);
  }

  async reserveIds(count: number): Promise<number[]> {
    const rows = await this.db.query<{ id: string }>("SELECT nextval(pg_get_serial_sequence('{{table}}', 'id')) AS id FROM generate_series(1, $1)", [count]);
    return rows.map((row) => Number(row.id));
  }

  /**
   * Deletes first (guarded delete + tombstones), then every upsert in one
   * multi-row `INSERT … ON CONFLICT (id) DO UPDATE … WHERE version <
   * excluded.version`. Replays and out-of-order batches change nothing.
   * Then the cached pages are dropped: they were read from PostgreSQL,
   * which only now holds these writes.
   */
  async flush(ops: ReadonlyArray<WriteOp<{{Thing}}State>>): Promise<void> {
    const deletes = ops.filter((op) => op.kind === 'delete');
    const upserts = ops.filter((op) => op.kind === 'upsert');
    if (deletes.length > 0) {
      await this.db.query(
        `WITH d AS (SELECT * FROM unnest($1::bigint[], $2::int[]) AS d(id, version)),
              t AS (INSERT INTO {{thing_snake}}_tombstones (id, version) SELECT id, version FROM d
                    ON CONFLICT (id) DO UPDATE SET version = GREATEST({{thing_snake}}_tombstones.version, excluded.version))
         DELETE FROM {{table}} r USING d WHERE r.id = d.id AND r.version < d.version`,
        [deletes.map((op) => op.id), deletes.map((op) => op.version)],
      );
    }
    if (upserts.length > 0) {
      const records = upserts.map((op) => ({ id: op.id, name: op.state.name, version: op.version, created_at: op.meta, updated_at: op.state.updatedAt }));
      await this.db.query(
        `INSERT INTO {{table}} (id, name, version, created_at, updated_at)
         SELECT r.id, r.name, r.version, r.created_at, r.updated_at
           FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, name text, version integer, created_at timestamptz, updated_at timestamptz)
          WHERE NOT EXISTS (SELECT 1 FROM {{thing_snake}}_tombstones t WHERE t.id = r.id AND t.version >= r.version)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, version = excluded.version, updated_at = excluded.updated_at
          WHERE {{table}}.version < excluded.version`,
        [JSON.stringify(records)],
      );
    }
    await this.dropPages();
  }

  /** One statement straight to PostgreSQL, for `WRITE_BEHIND_REDIS_DOWN_MODE=sync`. */
  async writeSync(request: WriteRequest<{{Thing}}State>): Promise<WriteOutcome> {
    switch (request.kind) {
      case 'create': {
        const rows = await this.db.query<{ id: string }>('INSERT INTO {{table}} (name, created_at, updated_at) VALUES ($1, $2, $3) RETURNING id', [
          request.state.name,
          request.meta,
          request.state.updatedAt,
        ]);
        return { kind: 'accepted', id: Number(rows[0].id), version: 1, meta: request.meta, path: 'sync' };
      }
      case 'update': {
        const rows = await this.db.query<{ version: number; created_at: Date }>(
          `UPDATE {{table}} SET name = $2, version = version + 1, updated_at = $3
            WHERE id = $1 AND ($4::int IS NULL OR version = $4) RETURNING version, created_at`,
          [request.id, request.state.name, request.state.updatedAt, request.expectedVersion ?? null],
        );
        if (rows[0]) return { kind: 'accepted', id: request.id, version: rows[0].version, meta: rows[0].created_at.toISOString(), path: 'sync' };
        return this.whyNotWritten(request.id);
      }
      case 'delete': {
        const rows = await this.db.query<{ version: number }>(
          `WITH d AS (DELETE FROM {{table}} WHERE id = $1 AND ($2::int IS NULL OR version = $2) RETURNING id, version + 1 AS version)
           INSERT INTO {{thing_snake}}_tombstones (id, version) SELECT id, version FROM d
           ON CONFLICT (id) DO UPDATE SET version = GREATEST({{thing_snake}}_tombstones.version, excluded.version)
           RETURNING version`,
          [request.id, request.expectedVersion ?? null],
        );
        if (rows[0]) return { kind: 'accepted', id: request.id, version: rows[0].version, meta: '', path: 'sync' };
        return this.whyNotWritten(request.id);
      }
      default: {
        const unknown: never = request;
        throw new Error(`unknown write ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** The cached copy of a corrected row is dropped everywhere; the next read loads what PostgreSQL holds. */
  async onStateCorrected(id: number): Promise<void> {
    await this.cache.delete({{thingCamel}}Key(id));
    await this.dropPages();
  }

  private async whyNotWritten(id: number): Promise<WriteOutcome> {
    const rows = await this.db.query<{ version: number }>('SELECT version FROM {{table}} WHERE id = $1', [id]);
    return rows[0] ? { kind: 'stale', currentVersion: rows[0].version } : { kind: 'missing' };
  }

  /** A failure here must not fail a flush that landed: the pages expire by their TTL instead (logged). */
  private async dropPages(): Promise<void> {
    try {
      await this.cache.deleteByTag({{THING}}_PAGES_TAG);
    } catch (error) {
      this.logger.warn({ err: { message: (error as Error).message } }, 'cached pages not dropped after a flush');
    }
  }
}

function toRowState(row: StateRow): RowState {
  return { id: Number(row.id), version: row.version, deleted: row.deleted, unique: '', meta: row.created_at ? row.created_at.toISOString() : '' };
}
