import { DEMO_DESCRIPTION } from '../../src/features/catalog/demo-description';
import type { Product } from '../../src/features/catalog/product.types';

/**
 * The demo products the app seeds (`src/features/catalog/catalog.seeder.ts`),
 * rebuilt here so that every baseline returns a body of the same shape and
 * size as the app's (836–842 bytes of JSON; product 1 is 836). Only the
 * timestamps differ: the seeder stores the time of the first start.
 */

/** The app's product shape. */
export type DemoProduct = Product;

const SEEDED_AT = '2026-01-01T00:00:00.000Z';

/** Product `id` as the app returns it, fields in the app's order (`toProduct` in the repository). */
export function demoProduct(id: number): DemoProduct {
  return {
    id,
    sku: `DEMO-${String(id).padStart(7, '0')}`,
    name: `Demo product ${id}`,
    description: DEMO_DESCRIPTION,
    priceMinor: 100 + ((id * 7919) % 99900),
    currency: 'EUR',
    stock: (id * 31) % 500,
    tags: ['demo', `group-${id % 10}`],
    version: 1,
    createdAt: SEEDED_AT,
    updatedAt: SEEDED_AT,
  };
}

/** Product 1 serialised once (836 bytes): the body of the constant baselines. */
export const PRODUCT_1_JSON = JSON.stringify(demoProduct(1));
