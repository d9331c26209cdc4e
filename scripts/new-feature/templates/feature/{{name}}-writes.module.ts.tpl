import { Module } from '@nestjs/common';
import { WriteBehindModule } from '../../write-behind';
import { {{NAME}}_ENTITY } from './{{name}}.constants';
import { {{Thing}}WriteRepository } from './{{thing}}-write.repository';

const writes = WriteBehindModule.forFeature({ entity: {{NAME}}_ENTITY, store: {{Thing}}WriteRepository });

/**
 * The write path of {{name}} on the write-behind kit: its producer (for the
 * API) and its workers (APP_ROLE worker|all). `{{Name}}Module` imports it,
 * and a worker process loads it alone (`AppModule.workerFeatures`).
 */
@Module({ imports: [writes], exports: [writes] })
export class {{Name}}WritesModule {}
