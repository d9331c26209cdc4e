import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deletes are versioned: a deleted product leaves a tombstone with the
 * version of its deletion, and the write-behind upsert skips any state whose
 * version is not above it, so an old upsert replayed late cannot bring the
 * row back. Ids are never reused (they come from the sequence), so a
 * tombstone only ever blocks stale writes.
 */
export class CreateProductTombstones1764370000000 implements MigrationInterface {
  name = 'CreateProductTombstones1764370000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE product_tombstones (
        id         bigint      PRIMARY KEY,
        version    integer     NOT NULL CHECK (version >= 1),
        deleted_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE product_tombstones');
  }
}
