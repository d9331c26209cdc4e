import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig } from '../../config';
import { DatabaseService } from '../../database';
import { StartupTracker } from '../../lifecycle';
import { catalogConfig, type CatalogConfig } from './catalog.config';
import { DEMO_DESCRIPTION } from './demo-description';

/**
 * Seeds demo products on the first start against an empty table, once across
 * pods (advisory lock), with one INSERT … SELECT over generate_series. Ids
 * run from 1 so that `curl localhost:3000/products/1` answers at once.
 */
@Injectable()
export class CatalogSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('CatalogSeeder');
  private markDone!: () => void;
  /** Resolves once seeding is over (or was not needed); never rejects. The write path loads row states after it. */
  readonly done = new Promise<void>((resolve) => (this.markDone = resolve));

  constructor(
    private readonly db: DatabaseService,
    @InjectConfig(catalogConfig) private readonly config: CatalogConfig,
    private readonly startup: StartupTracker,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.seedCount === 0) {
      this.markDone();
      return;
    }
    const seeding = this.db.whenReady().then(() => this.seed(this.config.seedCount));
    this.startup.track('catalog-seed', seeding);
    void seeding.finally(() => this.markDone()).catch(() => undefined);
  }

  private async seed(count: number): Promise<void> {
    await this.db.source.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['bulwark:catalog-seed']);
      const [{ empty }] = await tx.query<[{ empty: boolean }]>('SELECT NOT EXISTS (SELECT 1 FROM products) AS empty');
      if (!empty) return;
      await tx.query(
        `INSERT INTO products (sku, name, description, price_minor, currency, stock, tags)
         SELECT 'DEMO-' || lpad(g::text, 7, '0'), 'Demo product ' || g, $2, 100 + (g * 7919) % 99900, 'EUR',
                (g * 31) % 500, ARRAY['demo', 'group-' || (g % 10)]
           FROM generate_series(1, $1::int) AS g`,
        [count, DEMO_DESCRIPTION],
      );
      this.logger.log(`seeded ${count} demo products`);
    });
  }
}
