/** The catalog feature: what other features may use. */
export { CatalogWritesModule } from './catalog-writes.module';
export { catalogConfig } from './catalog.config';
export { ProductNotFoundError } from './catalog.errors';
export { CATALOG_MIGRATIONS, CatalogModule } from './catalog.module';
export { CatalogService } from './catalog.service';
export { ProductChanges, ProductChangesModule } from './product-changes';
export type { ProductChange, ProductChangeListener } from './product-changes';
export { productIdSchema } from './product.dto';
export { productSchema } from './product.types';
export type { Product } from './product.types';
