import type { CacheConfig, CacheService } from '../../cache';
import type { WriteBehind } from '../../write-behind';
import { PendingWritesUnreadableError } from './catalog.errors';
import { CatalogService } from './catalog.service';
import { ProductChanges } from './product-changes';
import type { ProductRepository } from './product.repository';
import type { ProductState } from './product.types';

/** How a product read treats the writes still in Redis when Redis does not answer (fakes: the rule, not the I/O). */
describe('CatalogService reads without the pending writes', () => {
  const row = { id: 7, sku: 'S', name: 'n', description: '', priceMinor: 1, currency: 'EUR', stock: 0, tags: [], version: 1, createdAt: 'c', updatedAt: 'u' };
  let l2Available: boolean;
  let pending: () => Promise<Map<number, unknown>>;
  let keptNoFill: string[][];
  let service: CatalogService;

  beforeEach(() => {
    l2Available = true;
    keptNoFill = [];
    const cache = {
      batch: () => ({}),
      reloadable: () => undefined,
      get l2Available() {
        return l2Available;
      },
      keepNoFill: (keys: readonly string[]) => keptNoFill.push([...keys]),
    } as unknown as CacheService;
    const products = { findById: async () => row } as unknown as ProductRepository;
    const writes = { pending: () => pending() } as unknown as WriteBehind<ProductState>;
    const config = { loaderHardTimeoutMs: 40, l2TimeoutMs: 10 } as CacheConfig;
    service = new CatalogService(products, cache, writes, config, new ProductChanges());
  });

  const never = () => new Promise<Map<number, unknown>>(() => undefined);

  it('Redis healthy but not answering within the loader timeout: the read is refused, not answered from PostgreSQL alone', async () => {
    pending = never;
    await expect(service.get(7)).rejects.toBeInstanceOf(PendingWritesUnreadableError);
    expect(keptNoFill).toEqual([]);
  });

  it('Redis unreachable (the connection fails): PostgreSQL alone answers, and the answer is kept in no cache tier', async () => {
    pending = () => Promise.reject(new Error('Connection is closed.'));
    expect(await service.get(7)).toMatchObject({ id: 7, version: 1 });
    expect(keptNoFill).toEqual([['product:7']]);
  });

  it('the L2 breaker open (Redis slow): the lookup waits only CACHE_L2_TIMEOUT_MS, then answers degraded and uncached', async () => {
    l2Available = false;
    pending = never;
    // Fake time: a wall-clock bound fails on a loaded machine (a 10 ms timer once fired after 300 ms in CI).
    jest.useFakeTimers();
    try {
      let answered: unknown;
      void service.get(7).then((product) => (answered = product));
      await jest.advanceTimersByTimeAsync(9);
      expect(answered).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      expect(answered).toMatchObject({ id: 7 });
    } finally {
      jest.useRealTimers();
    }
    expect(keptNoFill).toEqual([['product:7']]);
  });
});
