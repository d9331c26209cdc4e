import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { createApp } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/config.loader';
import { StartupTracker } from '../../src/lifecycle/startup.tracker';
import { TEST_DATABASE_URL, TEST_REDIS_CLUSTER_NODES, TEST_REDIS_URL } from './services';
import { waitFor } from './ports';
import { deleteTestKeys } from './redis-keys';

/** A running app on real PostgreSQL and Redis, isolated in its own schema and key prefix. */
export interface TestApp {
  readonly app: NestFastifyApplication;
  /** `http://127.0.0.1:<port>` when started with `listen: true`. */
  readonly url: string;
  readonly schema: string;
  readonly keyPrefix: string;
  /** Runs SQL in the app's schema, outside the app. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Closes the app and drops its schema and keys. */
  close(): Promise<void>;
}

/** A fresh schema/prefix name: runs and test files never collide. */
export function isolationId(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** The env of an isolated app; `overrides` win. */
export function testEnv(id: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: id,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `bulwark:test:${id}:`,
    // The e2e-cluster project: every role on its throwaway cluster (a test's own REDIS_* overrides still win).
    ...(TEST_REDIS_CLUSTER_NODES === '' ? {} : { REDIS_CLUSTER_NODES: TEST_REDIS_CLUSTER_NODES }),
    LOG_LEVEL: 'silent',
    CATALOG_SEED_COUNT: '25',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    // Off unless a test is about it: on a loaded CI machine the event-loop delay of a test process passes
    // the threshold, and non-essential routes then answer their fallback (seen in metrics-promtool, recommendations).
    DEGRADATION_SHEDDING_ENABLED: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
    ...overrides,
  };
}

/**
 * Boots the real app (the same `createApp` as production) and, unless
 * `waitForStartup: false`, waits until start-up (connection, migrations, seed) is done.
 * `modules` adds test-only feature modules (see `createApp`); `beforeInit` runs on the app
 * before `init()` (e.g. `app.useGlobalGuards()`).
 */
export async function startTestApp(
  options: {
    env?: Record<string, string>;
    listen?: boolean;
    waitForStartup?: boolean;
    modules?: ReadonlyArray<Type | DynamicModule>;
    beforeInit?: (app: NestFastifyApplication) => void;
  } = {},
): Promise<TestApp> {
  const id = isolationId();
  const env = testEnv(id, options.env);
  const app = await createApp(loadConfig(AppModule.configs, env), { modules: options.modules });
  options.beforeInit?.(app);
  await app.init();
  let url = '';
  if (options.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
  }
  if (options.waitForStartup !== false) await waitFor(() => app.get(StartupTracker).isComplete(), 20_000, 'app start-up');
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 2, options: `-c search_path=${id}` });
  return {
    app,
    url,
    schema: id,
    keyPrefix: env.REDIS_KEY_PREFIX,
    sql: async <T>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as T[],
    close: async () => {
      await app.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${id}" CASCADE`);
      await pool.end();
      await deleteTestKeys(env.REDIS_KEY_PREFIX);
    },
  };
}

/** Drops an isolated app's schema and Redis keys (what `TestApp.close` does, for spawned processes). */
export async function dropIsolation(schema: string, keyPrefix: string): Promise<void> {
  const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
  await deleteTestKeys(keyPrefix);
}

export { waitFor } from './ports';
