import { startTestApp, type TestApp } from './support/test-app';

/** APP_ROLE selects what a process runs; every role answers the probes. */
describe('APP_ROLE (e2e)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('worker: probes only, no feature routes', async () => {
    t = await startTestApp({ env: { APP_ROLE: 'worker' } });
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: '/products/1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'E_NOT_FOUND', detail: 'Cannot GET /products/1' });
  });

  it('api: serves the features', async () => {
    t = await startTestApp({ env: { APP_ROLE: 'api' } });
    expect((await t.app.inject({ method: 'GET', url: '/products/1' })).statusCode).toBe(200);
  });
});
