import { deleteKeys, deleteTestKeys } from './redis-keys';
import { Pool } from 'pg';
import type { AppProcess } from './app-process';
import { TEST_DATABASE_URL } from './services';
import { isolationId } from './test-app';

/**
 * One schema and key prefix for SEVERAL app instances (in-process
 * `startTestApp({ env })` or `spawnApp(env)`): pass {@link env} to each, so
 * they share PostgreSQL rows, L2 entries and the bus channel as pods do.
 * `startTestApp` cleans up only its own isolation id, so call {@link cleanup}
 * after closing the instances.
 */
export class SharedIsolation {
  readonly id = isolationId();
  readonly schema = this.id;
  readonly keyPrefix = `bulwark:test:${this.id}:`;
  private readonly pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 2, options: `-c search_path=${this.id}` });

  /** `DATABASE_SCHEMA` and `REDIS_KEY_PREFIX` of the shared isolation, plus `extra`. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { DATABASE_SCHEMA: this.schema, REDIS_KEY_PREFIX: this.keyPrefix, ...extra };
  }

  /** Runs SQL in the shared schema, outside the apps. */
  async sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> {
    return (await this.pool.query(text, params)).rows as T[];
  }

  /**
   * Drops the schema and every key under the prefix (SCAN + UNLINK, never FLUSH) on the Redis at
   * `redisUrl` (default: the one the test apps use, see `connectTestRedis`), and closes the pool.
   */
  async cleanup(redisUrl?: string): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
    await this.pool.end();
    await (redisUrl === undefined ? deleteTestKeys(this.keyPrefix) : deleteKeys(redisUrl, this.keyPrefix));
  }
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`; resolves once it has exited. */
export async function stopProcess(app: AppProcess, graceMs = 5_000): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill('SIGTERM');
  const timer = setTimeout(() => app.child.kill('SIGKILL'), graceMs);
  await app.exited;
  clearTimeout(timer);
}
