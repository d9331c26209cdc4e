/** Typed, validated configuration: defineConfig, the loader and the app-wide config. */
export { appConfig } from './app.config';
export type { AppConfig, AppRole } from './app.config';
export { ConfigValidationError } from './config.errors';
export { LoadedConfig, loadConfig, readProcessEnv } from './config.loader';
export { ConfigModule, InjectConfig } from './config.module';
export { defineConfig } from './config.types';
export type { ConfigOf } from './config.types';
export { boolVar, intVar, listVar, urlVar } from './env.schemas';
