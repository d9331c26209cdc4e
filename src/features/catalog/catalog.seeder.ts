import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig } from '../../config/config.module';
import { DatabaseService } from '../../database/database.service';
import { StartupTracker } from '../../health/startup.tracker';
import { catalogConfig, type CatalogConfig } from './catalog.config';

/** About 700 characters, so that a demo product serialises to roughly 1 KB like a real one. */
const DESCRIPTION =
  'A demonstration product of the Bulwark catalog. It exists so that a fresh start answers at once and so that ' +
  'benchmarks read a body of realistic size: a name, a price in minor units, a currency, stock, a few tags and ' +
  'this description, which is long enough to resemble the marketing copy of a real catalog entry. It says ' +
  'nothing in particular, but it says it at length: materials, dimensions, care instructions, the warranty, ' +
  'the story of the workshop that made it and the reasons to buy two. None of that is true, and all of it is ' +
  'harmless. Set CATALOG_SEED_COUNT=0 to start with an empty catalog instead.';

/**
 * Seeds demo products on the first start against an empty table, once across
 * pods (advisory lock), with one INSERT … SELECT over generate_series. Ids
 * run from 1 so that `curl localhost:3000/products/1` answers at once.
 */
@Injectable()
export class CatalogSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('CatalogSeeder');

  constructor(
    private readonly db: DatabaseService,
    @InjectConfig(catalogConfig) private readonly config: CatalogConfig,
    private readonly startup: StartupTracker,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.seedCount === 0) return;
    this.startup.track('catalog-seed', this.db.whenReady().then(() => this.seed(this.config.seedCount)));
  }

  private async seed(count: number): Promise<void> {
    await this.db.source.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['bulwark:catalog-seed']);
      const [{ empty }] = (await tx.query('SELECT NOT EXISTS (SELECT 1 FROM products) AS empty')) as [{ empty: boolean }];
      if (!empty) return;
      await tx.query(
        `INSERT INTO products (sku, name, description, price_minor, currency, stock, tags)
         SELECT 'DEMO-' || lpad(g::text, 7, '0'), 'Demo product ' || g, $2, 100 + (g * 7919) % 99900, 'EUR',
                (g * 31) % 500, ARRAY['demo', 'group-' || (g % 10)]
           FROM generate_series(1, $1::int) AS g`,
        [count, DESCRIPTION],
      );
      this.logger.log(`seeded ${count} demo products`);
    });
  }
}
