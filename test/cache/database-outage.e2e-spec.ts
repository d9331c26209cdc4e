import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { DatabaseService } from '../../src/database/database.service';
import { expectProblem } from '../support/problem-expectations';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services';
import { deleteKeys } from '../support/redis-keys';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(30_000);

/**
 * The cache while PostgreSQL is unreachable (a TcpProxy cut in front of it;
 * the shared server keeps running), with TTLs short enough that values turn
 * stale and their stale-while-revalidate window passes within the test, so
 * the loader is really tried and fails:
 * - a key with a stale value is served from it (`x-cache: STALE`, fail-safe);
 * - a key never loaded gets a 503 problem (`E_DEPENDENCY_UNAVAILABLE`, `Retry-After`);
 * - a negatively cached id still gets its 404, without touching the database;
 * - when PostgreSQL returns, fresh values again: `MISS`, then `L1`, with the
 *   row as it is now (changed behind the app's back during the outage).
 */
describe('PostgreSQL outage (e2e)', () => {
  // Fresh for 300 ms (100 ms in L1), then 100 ms of stale-while-revalidate; after that a read runs the
  // loader, and on failure may serve the stale value for CACHE_MAX_STALE_MS (default 5 min).
  // A 404 stays cached for a minute, so it outlives the outage.
  const env = {
    CACHE_TTL_MS: '300',
    CACHE_L1_TTL_MS: '100',
    CACHE_STALE_MS: '100',
    CACHE_NEGATIVE_TTL_MS: '60000',
    CACHE_HOT_L1_TTL_MS: '0',
    CACHE_JITTER_PERCENT: '0',
  };
  const pastSwrWindowMs = 300 + 100 + 150;
  let pg: TcpProxy;
  let t: TestApp;
  /** Straight to PostgreSQL, not through the proxy (`t.sql` uses the app's DATABASE_URL, the proxy). */
  let direct: Pool;

  const read = (url: string) => t.app.inject({ method: 'GET', url });
  const statementsTo = (spy: jest.SpyInstance) => spy.mock.calls.length;

  beforeAll(async () => {
    pg = await TcpProxy.start('127.0.0.1', 5432);
    t = await startTestApp({ env: { ...env, DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/test` } });
    direct = new Pool({ connectionString: TEST_DATABASE_URL, max: 1, options: `-c search_path=${t.schema}` });
  });

  afterAll(async () => {
    pg.restore();
    await direct.end();
    await t.close();
    await pg.close();
    await deleteKeys(TEST_REDIS_URL, t.keyPrefix);
  });

  afterEach(() => {
    pg.restore();
    jest.restoreAllMocks();
  });

  it('serves stale values, 503s keys never loaded, keeps 404s, and serves fresh values once PostgreSQL is back', async () => {
    expect((await read('/products/1')).headers['x-cache']).toBe('MISS');
    expect((await read('/products/999999')).statusCode).toBe(404);
    const query = jest.spyOn(t.app.get(DatabaseService), 'query');

    pg.cutAll();
    // Changed behind the app's back: the app cannot see it yet.
    await direct.query("UPDATE products SET name = 'Changed during the outage', version = version + 1 WHERE id = 1");
    await sleep(pastSwrWindowMs);

    // Stale: the loader is tried (and fails), the old value is served instead of an error.
    const stale = await read('/products/1');
    expect({ status: stale.statusCode, tier: stale.headers['x-cache'], etag: stale.headers.etag }).toEqual({ status: 200, tier: 'STALE', etag: '"1"' });
    expect(stale.json()).toMatchObject({ id: 1, version: 1, name: 'Demo product 1' });
    expect(stale.headers['cache-control']).toMatch(/^max-age=0,/);
    expect(statementsTo(query)).toBe(1);

    // Never loaded: nothing to fall back on.
    const cold = await read('/products/2');
    expectProblem(cold, '/products/2', { status: 503, code: 'E_DEPENDENCY_UNAVAILABLE' });
    expect(cold.headers['retry-after']).toMatch(/^\d+$/);
    expect(cold.headers['x-cache']).toBeUndefined();
    expect(statementsTo(query)).toBe(2);

    // Negatively cached: still a 404, and the database is not asked.
    const missing = await read('/products/999999');
    expectProblem(missing, '/products/999999', { status: 404, code: 'E_NOT_FOUND' });
    expect(statementsTo(query)).toBe(2);

    // Still stale on the next read: the failed load left the old value in place.
    expect((await read('/products/1')).headers['x-cache']).toBe('STALE');

    pg.restore();
    const fresh = await read('/products/1');
    expect({ status: fresh.statusCode, tier: fresh.headers['x-cache'], etag: fresh.headers.etag }).toEqual({ status: 200, tier: 'MISS', etag: '"2"' });
    expect(fresh.json()).toMatchObject({ id: 1, version: 2, name: 'Changed during the outage' });
    const again = await read('/products/1');
    expect({ tier: again.headers['x-cache'], body: again.body }).toEqual({ tier: 'L1', body: fresh.body });

    const loaded = await read('/products/2');
    expect({ status: loaded.statusCode, tier: loaded.headers['x-cache'] }).toEqual({ status: 200, tier: 'MISS' });
    expect((await read('/products/2')).headers['x-cache']).toBe('L1');
  });

  it('a batch read during the outage serves stale values and cached 404s; one never-loaded id makes it a 503', async () => {
    expect((await read('/products?ids=3,4')).statusCode).toBe(200);
    expect((await read('/products?ids=999998')).statusCode).toBe(200);
    pg.cutAll();
    await sleep(pastSwrWindowMs);

    const stale = await read('/products?ids=4,999998,3');
    expect(stale.statusCode).toBe(200);
    expect(stale.json<{ items: Array<{ id: number }>; missing: number[] }>()).toMatchObject({ items: [{ id: 4 }, { id: 3 }], missing: [999998] });

    const mixed = await read('/products?ids=3,5');
    expectProblem(mixed, '/products', { status: 503, code: 'E_DEPENDENCY_UNAVAILABLE' });
    expect(mixed.headers['retry-after']).toMatch(/^\d+$/);

    pg.restore();
    const back = await read('/products?ids=3,5');
    expect(back.statusCode).toBe(200);
    expect(back.json<{ items: Array<{ id: number }> }>().items.map((p) => p.id)).toEqual([3, 5]);
  });
});
