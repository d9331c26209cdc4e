import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import { InjectConfig } from '../config';
import { databaseConfig, type DatabaseConfig } from './database.config';
import { backoffMs } from '../resilience';
import { ShutdownSequence, StartupTracker } from '../lifecycle';
import { DatabaseUnavailableError, isUnavailableError } from './database.errors';
import { ensureDatabase, quoteIdent } from './ensure-database';

/**
 * Owns the PostgreSQL connection's life: connects in the background at start
 * (the app serves health and degraded answers while PostgreSQL is away),
 * creates the database and schema when missing, runs migrations under an
 * advisory lock so that pods starting together run them once, and runs every
 * query through {@link query}, which turns "cannot reach the database" into a
 * 503 problem.
 */
@Injectable()
export class DatabaseService implements OnModuleInit {
  private readonly logger = new Logger('Database');
  private ready = false;
  private stopped = false;
  private readyPromise!: Promise<void>;
  /** TypeORM's pg pool, once connected. */
  private pool?: Pool;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectConfig(databaseConfig) private readonly config: DatabaseConfig,
    private readonly startup: StartupTracker,
    private readonly shutdown: ShutdownSequence,
  ) {}

  onModuleInit(): void {
    this.shutdown.register('database', 'postgres', () => this.close());
    this.readyPromise = this.connectUntilReady();
    this.startup.track('database', this.readyPromise);
  }

  /** Resolves once connected and migrated; never rejects (it retries until shutdown). */
  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  /** True once connected and migrated. Later outages are seen per query, not here. */
  isReady(): boolean {
    return this.ready;
  }

  /** The TypeORM data source, for health checks and migrations. */
  get source(): DataSource {
    return this.dataSource;
  }

  /**
   * Runs one parameterised statement. Throws {@link DatabaseUnavailableError}
   * (503) when PostgreSQL is not reachable; other errors pass through for the
   * repository to map.
   */
  async query<T>(sql: string, parameters: readonly unknown[] = []): Promise<T[]> {
    if (!this.ready) throw new DatabaseUnavailableError();
    try {
      // Straight to TypeORM's pg pool: one round trip, rows as-is for every statement
      // (DataSource.query answers UPDATE/DELETE … RETURNING as [rows, count]), and no
      // query-runner bookkeeping on the hot path.
      const result = await this.pool!.query(sql, parameters as unknown[]);
      return result.rows as T[];
    } catch (error) {
      if (isUnavailableError(error)) throw new DatabaseUnavailableError(error);
      throw error;
    }
  }

  private async connectUntilReady(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.connectOnce();
        this.ready = true;
        return;
      } catch (error) {
        const delayMs = backoffMs(attempt + 3, this.config.retryMaxDelayMs);
        // One line per attempt is bounded by the backoff (at most one per retryMaxDelayMs once it caps).
        this.logger.warn(
          { err: { message: (error as Error).message, code: (error as { code?: string }).code } },
          `cannot connect to PostgreSQL (attempt ${attempt + 1}); retrying in ${delayMs} ms`,
        );
        await sleep(delayMs);
      }
    }
  }

  private async connectOnce(): Promise<void> {
    if (this.config.createDatabase && (await ensureDatabase(this.config.url, this.config.connectTimeoutMs))) {
      this.logger.log('created the database');
    }
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    this.pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    if (this.config.schema !== 'public') {
      await this.dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.config.schema)}`);
    }
    if (this.config.runMigrations) await this.migrate();
  }

  /** Runs pending migrations while holding a per-schema advisory lock. */
  private async migrate(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`bulwark:migrations:${this.config.schema}`]);
      const applied = await this.dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) this.logger.log(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
    } finally {
      await runner.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await runner.release();
    }
  }

  private async close(): Promise<void> {
    this.stopped = true;
    this.ready = false;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
