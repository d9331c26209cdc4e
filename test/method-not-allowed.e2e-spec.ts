import { expectProblem } from './support/problem-expectations';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * A path that exists under other methods answers 405 with `Allow`, not 404;
 * a path that exists under no method keeps its 404; routes still answer.
 */
describe('405 Method Not Allowed (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it.each([
    ['PATCH', '/products/1', 'DELETE, GET, HEAD, PUT'],
    ['POST', '/products/1', 'DELETE, GET, HEAD, PUT'],
    ['DELETE', '/products', 'GET, HEAD, POST'],
    ['PUT', '/products/1/recommendations', 'GET, HEAD'],
    ['POST', '/health/live', 'GET, HEAD'],
  ] as const)('%s %s: 405 with Allow: %s', async (method, url, allow) => {
    const res = await t.app.inject({ method, url });
    expectProblem(res, url, { status: 405, code: 'E_METHOD_NOT_ALLOWED' });
    expect(res.headers.allow).toBe(allow);
  });

  it('keeps 404 for paths no route has, and still serves the routes', async () => {
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/nothing/here' }), '/nothing/here', { status: 404, code: 'E_NOT_FOUND' });
    expectProblem(await t.app.inject({ method: 'GET', url: '/products/1/' }), '/products/1/', { status: 404, code: 'E_NOT_FOUND' });
    expect((await t.app.inject({ method: 'GET', url: '/products/1' })).statusCode).toBe(200);
    // The admin API (off here: no ADMIN_TOKEN) does not show itself through a 405 either.
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/admin/switches' }), '/admin/switches', { status: 404, code: 'E_NOT_FOUND' });
    // A 405 still checks nothing else: a malformed id under a wrong method is a 405, not a 400.
    expect((await t.app.inject({ method: 'PATCH', url: '/products/abc' })).statusCode).toBe(405);
  });
});
