import { z } from 'zod';
import { defineConfig, type ConfigOf, intVar } from '../../config';

/** The catalog feature's settings. */
export const catalogConfig = defineConfig(
  'catalog',
  z.object({
    CATALOG_SEED_COUNT: intVar(1000, 0, 1_000_000).describe('Demo products inserted on first start against an empty table (0 disables).'),
    CATALOG_PAGE_LIMIT_DEFAULT: intVar(20, 1, 1000).describe('Page size of GET /products when no limit is given.'),
    CATALOG_PAGE_LIMIT_MAX: intVar(100, 1, 1000).describe('Largest page size GET /products accepts.'),
    CATALOG_BATCH_MAX_IDS: intVar(100, 1, 1000).describe('Most ids one GET /products?ids= accepts.'),
    CATALOG_BULK_MAX_ITEMS: intVar(100, 1, 1000).describe('Most creates, replaces and deletes one POST /products/bulk accepts.'),
  }),
  (env) => ({
    seedCount: env.CATALOG_SEED_COUNT,
    pageLimitDefault: Math.min(env.CATALOG_PAGE_LIMIT_DEFAULT, env.CATALOG_PAGE_LIMIT_MAX),
    pageLimitMax: env.CATALOG_PAGE_LIMIT_MAX,
    batchMaxIds: env.CATALOG_BATCH_MAX_IDS,
    bulkMaxItems: env.CATALOG_BULK_MAX_ITEMS,
  }),
);
export type CatalogConfig = ConfigOf<typeof catalogConfig>;
