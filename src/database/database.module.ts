import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MixedList } from 'typeorm';
import { databaseConfig, type DatabaseConfig } from './database.config';
import { typeOrmOptions } from './database.options';
import { PostgresHealthIndicator } from './database.health';
import { DatabaseService } from './database.service';

/** What the app's database needs to know from the features. */
export interface DatabaseModuleOptions {
  /** Migration classes of every feature; TypeORM orders them by their timestamp. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: MixedList<Function>;
}

/**
 * PostgreSQL through TypeORM. The connection is opened in the background by
 * {@link DatabaseService} (`manualInitialization`), so a database outage at
 * start is a degraded state, not a crashed boot. Never `synchronize`: the
 * schema comes from migrations only.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TerminusModule,
        TypeOrmModule.forRootAsync({
          inject: [databaseConfig.token],
          useFactory: (config: DatabaseConfig) => typeOrmOptions(config, options.migrations),
        }),
      ],
      providers: [DatabaseService, PostgresHealthIndicator],
      exports: [DatabaseService, PostgresHealthIndicator],
    };
  }
}
