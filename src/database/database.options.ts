import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { MixedList } from 'typeorm';
import type { DatabaseConfig } from './database.config';

/**
 * TypeORM's options for the app's PostgreSQL: the connection is opened by `DatabaseService`
 * (`manualInitialization`), never `synchronize` (the schema comes from `migrations` only), and
 * every connection runs in the configured schema with the statement timeout.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function typeOrmOptions(config: DatabaseConfig, migrations: MixedList<Function>): TypeOrmModuleOptions {
  return {
    type: 'postgres',
    url: config.url,
    schema: config.schema,
    applicationName: 'bulwark',
    autoLoadEntities: true,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'migrations',
    manualInitialization: true,
    connectTimeoutMS: config.connectTimeoutMs,
    poolSize: config.poolMax,
    extra: {
      options: `-c search_path=${config.schema}`,
      ...(config.statementTimeoutMs > 0 ? { statement_timeout: config.statementTimeoutMs } : {}),
    },
  };
}
