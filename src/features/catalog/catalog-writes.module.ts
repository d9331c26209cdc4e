import { Module } from '@nestjs/common';
import { WriteBehindModule } from '../../write-behind';
import { CatalogSeedModule } from './catalog-seed.module';
import { ProductWriteRepository } from './product-write.repository';

/** Name of the catalog's write-behind entity (its queue and Redis keys). */
export const PRODUCTS_ENTITY = 'products';

const productWrites = WriteBehindModule.forFeature({ entity: PRODUCTS_ENTITY, store: ProductWriteRepository, imports: [CatalogSeedModule] });

/**
 * The catalog's write path on the write-behind kit: its producer (for the
 * API) and its workers (APP_ROLE worker|all). Loaded in every role:
 * `CatalogModule` imports it, and a worker process loads it alone.
 */
@Module({ imports: [productWrites], exports: [productWrites] })
export class CatalogWritesModule {}
