import { Module } from '@nestjs/common';
import { CatalogWritesModule } from './catalog-writes.module';
import { CatalogController } from './catalog.controller';
import { CatalogService } from './catalog.service';
import { CreateProducts1764270000000 } from './migrations/1764270000000-create-products';
import { CreateProductTombstones1764370000000 } from './migrations/1764370000000-create-product-tombstones';
import { ProductChangesModule } from './product-changes';
import { ProductQueryPipe } from './product-query.pipe';
import { ProductRepository } from './product.repository';

/** Migrations of the catalog, in order; `AppModule` hands them to `DatabaseModule`. */
export const CATALOG_MIGRATIONS = [CreateProducts1764270000000, CreateProductTombstones1764370000000];

/**
 * The worked example of a feature module: products on PostgreSQL with
 * validated, problem-reporting endpoints, cached reads and write-behind
 * writes; other features hear of each accepted write through
 * {@link ProductChangesModule} (product events do). Copy this folder to start a feature.
 */
@Module({
  imports: [CatalogWritesModule, ProductChangesModule],
  controllers: [CatalogController],
  providers: [CatalogService, ProductRepository, ProductQueryPipe],
  // The catalog's public API for other features (`findMany`, `relatedIds`); its repositories stay private.
  exports: [CatalogService],
})
export class CatalogModule {}
