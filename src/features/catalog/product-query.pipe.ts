import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../config';
import { ZodValidationPipe } from '../../http';
import { catalogConfig, type CatalogConfig } from './catalog.config';
import { productQuerySchema } from './product.dto';

/** Validates the query of `GET /products` against the limits of the catalog config. */
@Injectable()
export class ProductQueryPipe extends ZodValidationPipe<ReturnType<typeof productQuerySchema>> {
  constructor(@InjectConfig(catalogConfig) config: CatalogConfig) {
    super(productQuerySchema(config));
  }
}
