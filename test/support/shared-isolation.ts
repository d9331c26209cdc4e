import { deleteKeys, deleteTestKeys } from './redis-keys';
import { Pool } from 'pg';
import type { AppProcess } from './app-process';
import { TEST_DATABASE_URL } from './services';
import { isolationId, startTestApp, type TestApp } from './test-app';

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
  private readonly apps: TestApp[] = [];

  /** `DATABASE_SCHEMA` and `REDIS_KEY_PREFIX` of the shared isolation, plus `extra`. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { DATABASE_SCHEMA: this.schema, REDIS_KEY_PREFIX: this.keyPrefix, ...extra };
  }

  /** Starts `count` in-process apps (pods) on the shared isolation with `extra` env, one after the other; {@link cleanup} closes them. */
  async startApps(count: number, extra: Record<string, string> = {}): Promise<TestApp[]> {
    const started: TestApp[] = [];
    for (let i = 0; i < count; i++) started.push(await startTestApp({ env: this.env(extra) }));
    this.apps.push(...started);
    return started;
  }

  /** Runs SQL in the shared schema, outside the apps. */
  async sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> {
    return (await this.pool.query(text, params)).rows as T[];
  }

  /**
   * Closes the apps of {@link startApps}, then drops the schema and every key under the prefix (SCAN + UNLINK, never FLUSH) on the Redis at
   * `redisUrl` (default: the one the test apps use, see `connectTestRedis`), and closes the pool.
   */
  async cleanup(redisUrl?: string): Promise<void> {
    // app.close() only: TestApp.close() would drop its own isolation, not this one.
    for (const app of this.apps.reverse()) await app.app.close();
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
