import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../config';
import { ZodValidationPipe } from '../../http';
import { {{nameCamel}}Config, type {{Name}}Config } from './{{name}}.config';
import { {{thingCamel}}PageQuerySchema } from './{{thing}}.dto';

/** Validates the query of `GET /{{name}}` against the limits of the feature config. */
@Injectable()
export class {{Thing}}PageQueryPipe extends ZodValidationPipe<ReturnType<typeof {{thingCamel}}PageQuerySchema>> {
  constructor(@InjectConfig({{nameCamel}}Config) config: {{Name}}Config) {
    super({{thingCamel}}PageQuerySchema(config));
  }
}
