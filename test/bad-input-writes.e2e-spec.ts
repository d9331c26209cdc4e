import Redis from 'ioredis';
import { expectRejected, productBody, snapshot, type ExpectedProblem } from './support/problem-expectations';
import { RawProductWritesModule } from './support/raw-product-writes.module';
import { TEST_REDIS_URL } from './support/services';
import { startTestApp, type TestApp } from './support/test-app';
import { writesFlushed } from './support/write-behind';

/**
 * Bad ids, bodies and preconditions on the write endpoints: each gets the
 * documented problem, leaks nothing, writes nothing, and leaves the app
 * serving. Text that is merely unusual (SQL, quotes, emoji) is stored verbatim.
 */
describe('bad input: writes (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ modules: [RawProductWritesModule] });
  });
  afterAll(() => t.close());

  const invalid = { status: 400, code: 'E_VALIDATION' };
  const json = 'application/json';
  const emoji = (n: number) => '🚀'.repeat(n);

  describe('PUT and DELETE /products/:id with a bad id', () => {
    const badIds = ['abc', '-1', '0', '1.5', '99999999999999999999', '9007199254740993'];
    it.each((['PUT', 'DELETE'] as const).flatMap((method) => badIds.map((id) => [method, id] as const)))(
      '%s /products/%s: 400 naming `id`',
      async (method, id) => {
        const payload = method === 'PUT' ? productBody() : undefined;
        await expectRejected(t, { method, url: `/products/${id}`, payload }, { ...invalid, errors: [{ parameter: 'id' }] });
      },
    );
  });

  describe('POST /products: a body that is not a product object', () => {
    const lone = '{"sku":"SURROGATE-1","name":"Tea\\ud800pot","priceMinor":1,"currency":"EUR"}';
    it.each<[string, string | undefined, string | Buffer, ExpectedProblem]>([
      ['malformed JSON', json, '{bad', { status: 400, code: 'E_BAD_REQUEST' }],
      ['an empty JSON body', json, '', { status: 400, code: 'E_BAD_REQUEST' }],
      ['a JSON array', json, '[]', { ...invalid, errors: [{ pointer: '#' }] }],
      ['JSON null', json, 'null', { ...invalid, errors: [{ pointer: '#' }] }],
      ['a JSON string', json, '"Teapot"', { ...invalid, errors: [{ pointer: '#' }] }],
      ['a lone surrogate (\\ud800) in the name', json, lone, { ...invalid, errors: [{ pointer: '#/name' }] }],
      ['a __proto__ key', json, '{"__proto__":{"admin":true}}', { status: 400, code: 'E_BAD_REQUEST' }],
      ['a constructor.prototype key', json, '{"constructor":{"prototype":{"admin":true}}}', { status: 400, code: 'E_BAD_REQUEST' }],
      ['a 2 MB body', json, JSON.stringify(productBody({ description: 'd'.repeat(2 * 1024 * 1024) })), { status: 413, code: 'E_PAYLOAD_TOO_LARGE' }],
      ['text/plain', 'text/plain', JSON.stringify(productBody()), { status: 415, code: 'E_UNSUPPORTED_MEDIA_TYPE' }],
      ['no content type', undefined, Buffer.from(JSON.stringify(productBody())), { status: 415, code: 'E_UNSUPPORTED_MEDIA_TYPE' }],
      ['multipart', 'multipart/form-data; boundary=x', '--x--', { status: 415, code: 'E_UNSUPPORTED_MEDIA_TYPE' }],
    ])('rejects %s (content-type: %s)', async (_what, contentType, payload, expected) => {
      const headers = contentType === undefined ? {} : { 'content-type': contentType };
      await expectRejected(t, { method: 'POST', url: '/products', headers, payload }, expected);
    });
  });

  describe('POST /products: bad fields, each located by a JSON Pointer', () => {
    it.each<[string, Record<string, unknown>, string[]]>([
      ['unknown fields, each on its own', { foo: 1, 'a/b': 2, id: 7 }, ['#/foo', '#/a~1b', '#/id']],
      ['priceMinor as a string', { priceMinor: '100' }, ['#/priceMinor']],
      ['stock as a fraction', { stock: 1.5 }, ['#/stock']],
      ['tags as a string', { tags: 'kitchen' }, ['#/tags']],
      ['name as a number', { name: 42 }, ['#/name']],
      [
        'every required field missing',
        { sku: undefined, name: undefined, priceMinor: undefined, currency: undefined },
        ['#/sku', '#/name', '#/priceMinor', '#/currency'],
      ],
      ['a negative price', { priceMinor: -1 }, ['#/priceMinor']],
      ['a price beyond 2^53 - 1', { priceMinor: 2 ** 53 }, ['#/priceMinor']],
      ['stock beyond a 32-bit integer', { stock: 2_147_483_648 }, ['#/stock']],
      ['a malformed sku', { sku: '-leading-dash' }, ['#/sku']],
      ['an empty name', { name: '' }, ['#/name']],
      ['a whitespace-only name', { name: ' \t ' }, ['#/name']],
      ['a 201-character name', { name: 'a'.repeat(201) }, ['#/name']],
      ['a 201-emoji name', { name: emoji(201) }, ['#/name']],
      ['a NUL in the name', { name: 'Tea\u0000pot' }, ['#/name']],
      ['a line break in the name', { name: 'Tea\npot' }, ['#/name']],
      ['a C1 control in the name', { name: 'Tea\u0085pot' }, ['#/name']],
      ['a script element in the name', { name: '<script>alert(1)</script>' }, ['#/name']],
      ['currency XXX1', { currency: 'XXX1' }, ['#/currency']],
      ['a lower-case currency', { currency: 'eur' }, ['#/currency']],
      ['an unknown currency', { currency: 'ZZZ' }, ['#/currency']],
      ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `tag${i}`) }, ['#/tags']],
      ['duplicate tags', { tags: ['tea', 'tea'] }, ['#/tags']],
      ['tags equal once trimmed', { tags: ['tea', ' tea '] }, ['#/tags']],
      ['markup in one tag', { tags: ['ok', '<b>'] }, ['#/tags/1']],
      ['a 33-character tag', { tags: ['x'.repeat(33)] }, ['#/tags/0']],
      ['a 4001-character description', { description: 'd'.repeat(4001) }, ['#/description']],
      ['several problems at once', { name: '', priceMinor: -1, currency: 'eur' }, ['#/name', '#/priceMinor', '#/currency']],
    ])('rejects %s', async (_what, overrides, pointers) => {
      const payload = productBody(overrides);
      await expectRejected(t, { method: 'POST', url: '/products', payload }, { ...invalid, errors: pointers.map((pointer) => ({ pointer })) });
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['an unknown field', { foo: 1 }, '#/foo'],
      ['version 0', { version: 0 }, '#/version'],
      ['version as a string', { version: '1' }, '#/version'],
      ['markup in the name', { name: '<b>Teapot</b>' }, '#/name'],
    ])('PUT validates like POST: rejects %s', async (_what, overrides, pointer) => {
      await expectRejected(t, { method: 'PUT', url: '/products/2', payload: productBody(overrides) }, { ...invalid, errors: [{ pointer }] });
    });
  });

  describe('text stored verbatim', () => {
    it.each([
      ['an SQL injection attempt', "Robert'); DROP TABLE products;--"],
      ['quotes, backslashes and comments', `O'Brien "\\" \\'; /* -- */`],
      ['multi-byte text', 'Café ☕ 🚀 日本語 עברית'],
      ['200 emoji (200 characters, 400 UTF-16 units)', emoji(200)],
    ])('stores %s: 201, the same text in PostgreSQL and back from GET', async (_what, name) => {
      const before = await snapshot(t);
      const res = await t.app.inject({ method: 'POST', url: '/products', payload: productBody({ name }) });
      expect(res.statusCode).toBe(201);
      const { id } = res.json<{ id: number }>();
      await writesFlushed(t.app); // writes land in PostgreSQL moments after the 201 (write-behind)

      const [row] = await t.sql('SELECT name, char_length(name)::int AS length FROM products WHERE id = $1', [id]);
      expect(row).toEqual({ name, length: [...name].length });
      // The table is intact: every earlier row, plus this one.
      expect(await snapshot(t)).toEqual([...before, { id: String(id), sku: expect.any(String), name, version: 1 }]);

      const got = await t.app.inject({ method: 'GET', url: `/products/${id}` });
      expect(got.statusCode).toBe(200);
      expect(got.json<{ name: string }>().name).toBe(name);
      // Non-ASCII travels as raw UTF-8, not \u escapes: the body holds these exact bytes.
      expect(got.rawPayload.includes(Buffer.from(JSON.stringify(name).slice(1, -1), 'utf8'))).toBe(true);
    });
  });

  describe('preconditions and conflicts', () => {
    it.each((['PUT', 'DELETE'] as const).flatMap((method) => ['abc', '"-1"', '""'].map((ifMatch) => [method, ifMatch] as const)))(
      '%s with a malformed If-Match (%s): 400 naming the header',
      async (method, ifMatch) => {
        const payload = method === 'PUT' ? productBody() : undefined;
        const request = { method, url: '/products/4', headers: { 'if-match': ifMatch }, payload };
        await expectRejected(t, request, { ...invalid, errors: [{ header: 'if-match' }] });
      },
    );

    it('PUT whose If-Match and body version disagree: 400, not a stale-version 409', async () => {
      const request = { method: 'PUT' as const, url: '/products/4', headers: { 'if-match': '"2"' }, payload: productBody({ version: 1 }) };
      await expectRejected(t, request, { ...invalid, errors: [{ header: 'if-match' }] });
    });

    it("PUT taking another product's SKU: 409 E_DUPLICATE_SKU", async () => {
      const payload = productBody({ sku: 'DEMO-0000001' });
      await expectRejected(t, { method: 'PUT', url: '/products/3', payload }, { status: 409, code: 'E_DUPLICATE_SKU' });
    });
  });

  /**
   * The write state in Redis keeps each row as `version|meta|unique` and each
   * pending write as `version|kind|meta|body` (write-state.format.ts): it
   * cannot carry the separator in meta, lone surrogates, ids and versions that
   * are not safe integers, or numbers JSON has no form for. The DTO refuses
   * such input with a 400 before the kit sees it; a caller that skips the DTO
   * gets the kit's own 422, before any Redis call.
   */
  describe('values the write state cannot carry', () => {
    let redis: Redis;
    beforeAll(() => {
      redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    });
    afterAll(() => redis.quit());

    /** The write state of products in Redis: rows, unique values, pending writes and reserved ids. */
    const writeState = async () => {
      const base = `${t.keyPrefix}wb:{products}:`;
      const [rows, uniq, pend, ids] = await Promise.all([
        redis.hgetall(`${base}rows`),
        redis.hgetall(`${base}uniq`),
        redis.hgetall(`${base}pend`),
        redis.lrange(`${base}ids`, 0, -1),
      ]);
      return { rows, uniq, pend, ids };
    };

    it('POST /products with a price JSON reads as Infinity (1e999): 400 at the DTO, the write state untouched', async () => {
      const before = await writeState();
      const payload = JSON.stringify(productBody({ priceMinor: 0 })).replace('"priceMinor":0', '"priceMinor":1e999');
      const res = await expectRejected(
        t,
        { method: 'POST', url: '/products', headers: { 'content-type': json }, payload },
        { ...invalid, errors: [{ pointer: '#/priceMinor' }] },
      );
      expect(res.json()).toMatchObject({ errors: [{ pointer: '#/priceMinor', detail: 'must be an integer number of minor units (cents)' }] });
      expect(await writeState()).toEqual(before);
    });

    it.each([
      ['the separator', 'SKU|1'],
      ['a line break', 'SKU\n1'],
    ])('POST /products with %s in the SKU: 400 at the DTO', async (_what, sku) => {
      await expectRejected(t, { method: 'POST', url: '/products', payload: productBody({ sku }) }, { ...invalid, errors: [{ pointer: '#/sku' }] });
    });

    it("a caller that skips the DTO gets the kit's 422 naming each field, and nothing reaches Redis", async () => {
      const before = await writeState();
      const payload = '{"kind":"create","unique":"RAW-1","meta":"2026|12|03","state":{"sku":"RAW-1","priceMinor":1e999}}';
      const res = await expectRejected(
        t,
        { method: 'POST', url: '/test-only/product-writes', headers: { 'content-type': json }, payload },
        {
          status: 422,
          code: 'E_UNWRITABLE_VALUE',
          errors: [{ pointer: '#/meta' }, { pointer: '#/state' }],
        },
      );
      expect(res.json()).toEqual({
        type: '/problems/unwritable-value',
        title: 'Unprocessable write',
        status: 422,
        detail:
          'This products write cannot be stored: meta must not contain "|", the separator of the write state; state "priceMinor" is Infinity, which JSON cannot carry.',
        instance: '/test-only/product-writes',
        code: 'E_UNWRITABLE_VALUE',
        requestId: res.headers['x-request-id'],
        errors: [
          { pointer: '#/meta', detail: 'must not contain "|", the separator of the write state' },
          { pointer: '#/state', detail: '"priceMinor" is Infinity, which JSON cannot carry' },
        ],
      });
      expect(await writeState()).toEqual(before);
    });
  });

  /** Values that pass the JSON shape but not PostgreSQL's types, and content types Nest would otherwise parse. */
  describe('beyond the column types and the JSON parser', () => {
    const huge = '9999999999'; // a version past PostgreSQL's int4, which the repository casts to
    it.each([
      ['PUT, If-Match', { method: 'PUT' as const, url: '/products/5', headers: { 'if-match': `"${huge}"` }, payload: productBody() }],
      ['PUT, body version', { method: 'PUT' as const, url: '/products/5', payload: productBody({ version: Number(huge) }) }],
      ['DELETE, If-Match', { method: 'DELETE' as const, url: '/products/5', headers: { 'if-match': `"${huge}"` } }],
    ])('a version beyond int4 (%s) is a 400 problem, not a 500', async (_what, request) => {
      const before = await snapshot(t);
      const res = await t.app.inject(request);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'E_VALIDATION' });
      expect(await snapshot(t)).toEqual(before);
    });

    it('an application/x-www-form-urlencoded body is refused with 415 like any non-JSON body', async () => {
      const headers = { 'content-type': 'application/x-www-form-urlencoded' };
      await expectRejected(
        t,
        { method: 'POST', url: '/products', headers, payload: 'sku=FORM-1&name=Teapot' },
        { status: 415, code: 'E_UNSUPPORTED_MEDIA_TYPE' },
      );
    });
  });
});
