import { z } from 'zod';
import { defineConfig, type ConfigOf, boolVar, intVar, urlVar } from '../config';

/** PostgreSQL connection, pool and schema management. */
export const databaseConfig = defineConfig(
  'database',
  z.object({
    DATABASE_URL: urlVar('postgres://postgres:postgres@127.0.0.1:5432/bulwark', ['postgres:', 'postgresql:']).describe('PostgreSQL connection URL.'),
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be a lower-case SQL identifier' })
      .default('public')
      .describe('Schema holding the tables (created when missing).'),
    DATABASE_CREATE: boolVar(true).describe('Create the database at start when it does not exist and the server allows it.'),
    DATABASE_MIGRATIONS_RUN: boolVar(true).describe('Run pending migrations at start.'),
    DATABASE_POOL_MAX: intVar(10, 1, 1000).describe('Maximum connections in the pool of this process.'),
    DATABASE_CONNECT_TIMEOUT_MS: intVar(2000, 100).describe('Timeout of one connection attempt.'),
    DATABASE_STATEMENT_TIMEOUT_MS: intVar(5000, 0).describe('Server-side statement timeout (0 = none).'),
    DATABASE_RETRY_MAX_DELAY_MS: intVar(10_000, 100).describe('Cap of the jittered backoff between connection attempts at start.'),
  }),
  (env) => ({
    url: env.DATABASE_URL,
    schema: env.DATABASE_SCHEMA,
    createDatabase: env.DATABASE_CREATE,
    runMigrations: env.DATABASE_MIGRATIONS_RUN,
    poolMax: env.DATABASE_POOL_MAX,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    retryMaxDelayMs: env.DATABASE_RETRY_MAX_DELAY_MS,
  }),
);
export type DatabaseConfig = ConfigOf<typeof databaseConfig>;
