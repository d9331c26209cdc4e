import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database';
import type { {{Thing}} } from './{{thing}}.types';

/** A {{table}} row as node-postgres returns it (bigint arrives as a string). */
interface {{Thing}}Row {
  id: string;
  name: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, version, created_at, updated_at';

/**
 * The reads of {{name}}: one round trip each, parameterised SQL through
 * `DatabaseService.query` (the read path skips the ORM's hydration).
 */
@Injectable()
export class {{Thing}}Repository {
  constructor(private readonly db: DatabaseService) {}

  async findById(id: number): Promise<{{Thing}} | undefined> {
    const rows = await this.db.query<{{Thing}}Row>(`SELECT ${COLUMNS} FROM {{table}} WHERE id = $1`, [id]);
    return rows[0] && to{{Thing}}(rows[0]);
  }

  /** Keyset page: the first `limit` rows with an id above `afterId`. */
  async findPage(afterId: number, limit: number): Promise<{{Thing}}[]> {
    const rows = await this.db.query<{{Thing}}Row>(`SELECT ${COLUMNS} FROM {{table}} WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit]);
    return rows.map(to{{Thing}});
  }
}

function to{{Thing}}(row: {{Thing}}Row): {{Thing}} {
  return {
    id: Number(row.id),
    name: row.name,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
