import { Module } from '@nestjs/common';
// #if degradable
import { DegradationModule } from '../../degradation';
import { {{NAME}}_FEATURE } from './{{name}}.constants';
import { {{Name}}Fallback } from './{{name}}.fallback';
// #endif
// #if jobs
import { {{Name}}JobsModule } from './{{name}}-jobs.module';
// #endif
// #if writeBehind
import { {{Name}}WritesModule } from './{{name}}-writes.module';
// #endif
import { {{Name}}Controller } from './{{name}}.controller';
import { {{Name}}Service } from './{{name}}.service';
import { Create{{Name}}{{timestamp}} } from './migrations/{{timestamp}}-create-{{name}}';
import { {{Thing}}PageQueryPipe } from './{{thing}}-page-query.pipe';
import { {{Thing}}Repository } from './{{thing}}.repository';

/** Migrations of {{name}}, in order; `AppModule` hands them to `DatabaseModule`. */
export const {{NAME}}_MIGRATIONS = [Create{{Name}}{{timestamp}}];

/**
 * The {{name}} feature: cached reads of {{table}} on PostgreSQL.
// #if writeBehind
 * Writes are written behind (`{{Name}}WritesModule`).
// #endif
// #if degradable
 * Non-essential: behind the `{{name}}` switch, which load shedding may turn to `fallback`.
// #endif
// #if jobs
 * Each accepted write queues a job (`{{Name}}JobsModule`).
// #endif
 */
@Module({
  imports: [
// #if writeBehind
    {{Name}}WritesModule,
// #endif
// #if jobs
    {{Name}}JobsModule,
// #endif
// #if degradable
    DegradationModule.forFeature({ feature: {{NAME}}_FEATURE, essential: false }),
// #endif
  ],
  controllers: [{{Name}}Controller],
// #if degradable
  providers: [{{Name}}Service, {{Thing}}Repository, {{Thing}}PageQueryPipe, {{Name}}Fallback],
// #else
  providers: [{{Name}}Service, {{Thing}}Repository, {{Thing}}PageQueryPipe],
// #endif
})
export class {{Name}}Module {}
