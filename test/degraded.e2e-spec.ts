import { TcpProxy } from './support/tcp-proxy';
import { startTestApp, waitFor, type TestApp } from './support/test-app';

/**
 * A PostgreSQL or Redis outage is a degraded state, not a crash: the app
 * starts anyway, reports it on the probes, answers 503 problems where it
 * needs the missing dependency, and recovers by itself. Outages are cut in a
 * TCP proxy in front of the real services, which keep running.
 */
describe('dependency outages (e2e)', () => {
  const proxies: TcpProxy[] = [];
  let t: TestApp | undefined;

  async function proxy(port: number): Promise<TcpProxy> {
    const p = await TcpProxy.start('127.0.0.1', port);
    proxies.push(p);
    return p;
  }

  afterEach(async () => {
    for (const p of proxies) p.restore();
    await t?.close();
    t = undefined;
    for (const p of proxies.splice(0)) await p.close();
  });

  const status = async (url: string) => (await t!.app.inject({ method: 'GET', url })).statusCode;

  it('starts without PostgreSQL, reports it, answers 503 problems, and recovers when it returns', async () => {
    const pg = await proxy(5432);
    pg.cutAll();
    t = await startTestApp({
      env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/test`, DATABASE_RETRY_MAX_DELAY_MS: '300' },
      waitForStartup: false,
    });

    expect(await status('/health/live')).toBe(200);
    expect(await status('/health/startup')).toBe(503);
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'error', error: { postgres: { status: 'down', required: false } } });

    const read = await t.app.inject({ method: 'GET', url: '/products/1' });
    expect(read.statusCode).toBe(503);
    expect(read.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(read.headers['retry-after']).toBeDefined();
    expect(read.json()).toMatchObject({ code: 'E_DEPENDENCY_UNAVAILABLE' });

    pg.restore();
    await waitFor(async () => (await status('/health/startup')) === 200, 10_000, 'startup after PostgreSQL returned');
    expect(await status('/health/ready')).toBe(200);
    expect(await status('/products/1')).toBe(200);
  });

  it('when PostgreSQL goes away while running: cached reads still served, others a prompt 503, readiness degraded', async () => {
    const pg = await proxy(5432);
    t = await startTestApp({ env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/test` } });
    expect(await status('/products/1')).toBe(200);

    pg.cutAll();
    const cached = await t.app.inject({ method: 'GET', url: '/products/1' });
    expect(cached.statusCode).toBe(200);
    expect(cached.headers['x-cache']).toBe('L1');

    const startedAt = Date.now();
    const uncached = await t.app.inject({ method: 'GET', url: '/products/2' });
    expect(uncached.statusCode).toBe(503);
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(uncached.headers['retry-after']).toBeDefined();
    expect(uncached.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at \w+ \(/);

    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'degraded', error: { postgres: { status: 'down', required: false } } });
    expect(await status('/health/live')).toBe(200);

    pg.restore();
    await waitFor(async () => (await status('/products/2')) === 200, 5000, 'reads after PostgreSQL returned');
    expect(await status('/health/ready')).toBe(200);
  });

  it('makes readiness fail on a PostgreSQL outage when HEALTH_READY_REQUIRES names it', async () => {
    const pg = await proxy(5432);
    t = await startTestApp({ env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/test`, HEALTH_READY_REQUIRES: 'postgres' } });
    pg.cutAll();
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'error', error: { postgres: { status: 'down', required: true } } });
  });

  it('stays ready (degraded) without Redis, which the catalog does not need to serve', async () => {
    const redis = await proxy(6379);
    redis.cutAll();
    t = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${redis.port}` } });

    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'degraded', error: { redis: { status: 'down', required: false } } });
    expect(await status('/products/1')).toBe(200);

    redis.restore();
    await waitFor(
      async () => (await t!.app.inject({ method: 'GET', url: '/health/ready' })).json<{ status: string }>().status === 'ok',
      10_000,
      'Redis reconnected',
    );
  });
});
