import Fastify from 'fastify';
import { compileRoutePattern } from './route-matcher';

/**
 * The fast path answers a request only when this matcher matches it, so the
 * property that matters is: whatever it matches, Fastify's router matches
 * too, with the same params. A miss is always safe (Fastify takes over).
 */
describe('compileRoutePattern', () => {
  const paths = [
    '/products/1',
    '/products/42',
    '/products/abc',
    '/products/',
    '/products',
    '/products/1/',
    '/products//1',
    '//products/1',
    '/Products/1',
    '/products/%31',
    '/products/a%2Fb',
    '/products/1;x',
    '/products/' + '9'.repeat(100),
    '/products/' + '9'.repeat(101),
    '/products/1/recommendations',
    '/products/1.json',
    '/products/-',
    '/products/ü',
    '/products/1?x=1',
  ];

  it('matches only what Fastify routes to the same route, with the same params', async () => {
    const fastify = Fastify();
    fastify.get('/products/:id', async (request) => ({ route: 'product', params: request.params }));
    fastify.get('/products/:id/recommendations', async (request) => ({ route: 'recommendations', params: request.params }));
    const match = compileRoutePattern('/products/:id')!;
    let matched = 0;
    for (const path of paths) {
      const params = match(path.split('?')[0]); // the fast path matches the path without its query
      if (params === undefined) continue;
      matched++;
      const res = await fastify.inject({ method: 'GET', url: path });
      expect({ path, status: res.statusCode, body: res.json() }).toEqual({ path, status: 200, body: { route: 'product', params } });
    }
    expect(matched).toBeGreaterThanOrEqual(7);
    await fastify.close();
  });

  it('matches plain paths and refuses the tricky ones', () => {
    const match = compileRoutePattern('/products/:id')!;
    expect(match('/products/42')).toEqual({ id: '42' });
    expect(match('/products/1.json')).toEqual({ id: '1.json' });
    for (const path of ['/products/', '/products/1/', '/products//1', '/Products/1', '/products/%31', '/products/' + '9'.repeat(101)]) {
      expect({ path, params: match(path) }).toEqual({ path, params: undefined });
    }
    expect(compileRoutePattern('/shops/:shop/items/:item')!('/shops/s1/items/i2')).toEqual({ shop: 's1', item: 'i2' });
  });

  it('declines patterns it does not understand', () => {
    for (const pattern of ['/files/*', '/products/:id(^\\d+$)', '/products/:id?', '/a::b', '/products/:id-:rev']) {
      expect({ pattern, matcher: compileRoutePattern(pattern) }).toEqual({ pattern, matcher: undefined });
    }
  });
});
