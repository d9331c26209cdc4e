import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../config';
import { ZodValidationPipe } from '../../http';
import { catalogConfig, type CatalogConfig } from './catalog.config';
import { bulkWriteSchema, productQuerySchema } from './product.dto';

/** Validates the query of `GET /products` against the limits of the catalog config. */
@Injectable()
export class ProductQueryPipe extends ZodValidationPipe<ReturnType<typeof productQuerySchema>> {
  constructor(@InjectConfig(catalogConfig) config: CatalogConfig) {
    super(productQuerySchema(config));
  }
}

/** Validates the body of `POST /products/bulk` against CATALOG_BULK_MAX_ITEMS. */
@Injectable()
export class BulkWritePipe extends ZodValidationPipe<ReturnType<typeof bulkWriteSchema>> {
  constructor(@InjectConfig(catalogConfig) config: CatalogConfig) {
    super(bulkWriteSchema(config));
  }
}
