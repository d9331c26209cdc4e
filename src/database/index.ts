/** PostgreSQL through TypeORM: the module, the data source, its health and its errors. */
export { databaseConfig } from './database.config';
export { DatabaseUnavailableError, isUnavailableError } from './database.errors';
export { PostgresHealthIndicator } from './database.health';
export { DatabaseModule } from './database.module';
export { DatabaseService } from './database.service';
