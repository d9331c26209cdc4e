import { Module } from '@nestjs/common';
import { CatalogController } from './catalog.controller';
import { CatalogSeeder } from './catalog.seeder';
import { CatalogService } from './catalog.service';
import { CreateProducts1764270000000 } from './migrations/1764270000000-create-products';
import { ProductQueryPipe } from './product-query.pipe';
import { ProductRepository } from './product.repository';

/** Migrations of the catalog, in order; `AppModule` hands them to `DatabaseModule`. */
export const CATALOG_MIGRATIONS = [CreateProducts1764270000000];

/**
 * The worked example of a feature module: products on PostgreSQL with
 * validated, problem-reporting endpoints. Copy this folder to start a feature.
 */
@Module({
  controllers: [CatalogController],
  providers: [CatalogService, ProductRepository, ProductQueryPipe, CatalogSeeder],
  // The catalog's public API for other features (`findMany`, `relatedIds`); its repository stays private.
  exports: [CatalogService],
})
export class CatalogModule {}
