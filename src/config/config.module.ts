import { DynamicModule, Global, Inject, Module } from '@nestjs/common';
import type { z } from 'zod';
import type { LoadedConfig } from './config.loader';
import type { ConfigDefinition } from './config.types';

/**
 * Provides each loaded capability config under its definition's token.
 * Config is validated before Nest starts (see `loadConfig`), so nothing here can fail.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: LoadedConfig): DynamicModule {
    const providers = [...config.entries()].map(([token, value]) => ({ provide: token, useValue: value }));
    return { module: ConfigModule, providers, exports: providers.map((p) => p.provide) };
  }
}

/** Injects the typed config object of a definition: `@InjectConfig(databaseConfig) db: DatabaseConfig`. */
export function InjectConfig(definition: ConfigDefinition<z.ZodRawShape, unknown>): ParameterDecorator & PropertyDecorator {
  return Inject(definition.token);
}
