/**
 * The description of the seeded demo products: about 700 characters, so that
 * a demo product serialises to roughly 1 KB like a real one. The bench
 * baselines use it too, to answer bodies of the same size as the app.
 */
export const DEMO_DESCRIPTION =
  'A demonstration product of the Bulwark catalog. It exists so that a fresh start answers at once and so that ' +
  'benchmarks read a body of realistic size: a name, a price in minor units, a currency, stock, a few tags and ' +
  'this description, which is long enough to resemble the marketing copy of a real catalog entry. It says ' +
  'nothing in particular, but it says it at length: materials, dimensions, care instructions, the warranty, ' +
  'the story of the workshop that made it and the reasons to buy two. None of that is true, and all of it is ' +
  'harmless. Set CATALOG_SEED_COUNT=0 to start with an empty catalog instead.';
