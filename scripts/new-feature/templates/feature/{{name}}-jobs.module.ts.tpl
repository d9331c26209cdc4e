import { Module } from '@nestjs/common';
import { JobsModule } from '../../jobs';
import { {{NAME}}_QUEUE } from './{{name}}.constants';
import { {{Name}}Processor } from './{{name}}.processor';
import { {{Name}}Publisher } from './{{name}}.publisher';

/**
 * The job queue of {{name}}: the publisher (for the API) in every role, the
 * processor where the jobs kit runs workers (APP_ROLE worker|all).
 * `{{Name}}Module` imports it, and a worker process loads it alone.
 */
@Module({
  imports: [JobsModule.forFeature({ name: {{NAME}}_QUEUE })],
  providers: [{{Name}}Publisher, {{Name}}Processor],
  exports: [{{Name}}Publisher],
})
export class {{Name}}JobsModule {}
