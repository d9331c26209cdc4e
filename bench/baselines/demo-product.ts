/**
 * The demo products the app seeds (`src/features/catalog/catalog.seeder.ts`),
 * rebuilt here so that every baseline returns a body of the same shape and
 * size as the app's (836–842 bytes of JSON; product 1 is 836). Only the
 * timestamps differ: the seeder stores the time of the first start.
 */
export interface DemoProduct {
  readonly id: number;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly priceMinor: number;
  readonly currency: string;
  readonly stock: number;
  readonly tags: readonly string[];
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The seeder's description, word for word. */
const DESCRIPTION =
  'A demonstration product of the Bulwark catalog. It exists so that a fresh start answers at once and so that ' +
  'benchmarks read a body of realistic size: a name, a price in minor units, a currency, stock, a few tags and ' +
  'this description, which is long enough to resemble the marketing copy of a real catalog entry. It says ' +
  'nothing in particular, but it says it at length: materials, dimensions, care instructions, the warranty, ' +
  'the story of the workshop that made it and the reasons to buy two. None of that is true, and all of it is ' +
  'harmless. Set CATALOG_SEED_COUNT=0 to start with an empty catalog instead.';

const SEEDED_AT = '2026-01-01T00:00:00.000Z';

/** Product `id` as the app returns it, fields in the app's order (`toProduct` in the repository). */
export function demoProduct(id: number): DemoProduct {
  return {
    id,
    sku: `DEMO-${String(id).padStart(7, '0')}`,
    name: `Demo product ${id}`,
    description: DESCRIPTION,
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
