/** The {{name}} feature: what other features and `AppModule` may use. */
export { {{nameCamel}}Config } from './{{name}}.config';
export { {{NAME}}_MIGRATIONS, {{Name}}Module } from './{{name}}.module';
// #if writeBehind
export { {{Name}}WritesModule } from './{{name}}-writes.module';
// #endif
// #if jobs
export { {{Name}}JobsModule } from './{{name}}-jobs.module';
// #endif
export type { {{Thing}} } from './{{thing}}.types';
