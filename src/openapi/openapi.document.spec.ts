import { z } from 'zod';
import type { RouteContract } from '../http';
import { buildOpenApiDocument } from './openapi.document';
import type { DiscoveredRoute, RouteArgument } from './route-discovery';

const INFO = { title: 'test', version: '1.0.0' };

/** The document as the tests read it: plain JSON, walked by path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function route(
  method: string,
  path: string,
  args: RouteArgument[] = [],
  contract: RouteContract[] = [],
  status = method === 'post' ? 201 : 200,
): DiscoveredRoute {
  return { method, path, name: `Test.${method}${path}`, status, arguments: args, contract };
}

/** The `code` enum of a problem response of `operation`. */
function codes(operation: Json, status: number): string[] {
  return operation.responses[status].content['application/problem+json'].schema.allOf[1].properties.code.enum;
}

describe('buildOpenApiDocument', () => {
  const item = z.strictObject({ id: z.int(), name: z.string() }).meta({ id: 'TestItem' });

  it('turns Nest paths into OpenAPI paths, with plain-string parameters where no pipe reads them', () => {
    const doc = buildOpenApiDocument([route('get', '/things/:id/parts/:part', [{ in: 'path', name: 'id', schema: z.string().regex(/^[0-9]+$/) }])], INFO);
    const op: Json = doc.paths['/things/{id}/parts/{part}'].get;
    expect(op.parameters.slice(0, 2)).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
      { name: 'part', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(op.tags).toEqual(['things']);
  });

  it('spreads a whole-query schema into one parameter per property, required as the schema says', () => {
    const query = z.strictObject({ q: z.string().describe('search words'), page: z.coerce.number().int().default(1) });
    const op: Json = buildOpenApiDocument([route('get', '/search', [{ in: 'query', schema: query }])], INFO).paths['/search'].get;
    expect(op.parameters.slice(0, 2)).toEqual([
      { name: 'q', in: 'query', required: true, description: 'search words', schema: { type: 'string' } },
      { name: 'page', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', default: 1 }) },
    ]);
  });

  it('documents request bodies on their input side and responses on their output side, named schemas as components', () => {
    const body = z.strictObject({ name: z.string(), size: z.int().default(0) });
    const doc: Json = buildOpenApiDocument([route('post', '/things', [{ in: 'body', schema: body }], [{ response: item }])], INFO);
    const op = doc.paths['/things'].post;
    expect(op.requestBody).toEqual({ required: true, content: { 'application/json': { schema: expect.objectContaining({ required: ['name'] }) } } });
    expect(op.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TestItem' });
    expect(doc.components.schemas.TestItem).toMatchObject({ type: 'object', required: ['id', 'name'] });
  });

  it('refuses one name for two different schemas', () => {
    const other = z.strictObject({ id: z.string() }).meta({ id: 'TestClash' });
    const again = z.strictObject({ id: z.int() }).meta({ id: 'TestClash' });
    expect(() => buildOpenApiDocument([route('get', '/a', [], [{ response: other }]), route('get', '/b', [], [{ response: again }])], INFO)).toThrow(
      /"TestClash"/,
    );
  });

  it('adds the kit problems a route can get: validation with a pipe, body limits with a body, 414 with a path parameter, overload unless critical', () => {
    const doc: Json = buildOpenApiDocument(
      [
        route('post', '/things/:id', [
          { in: 'path', name: 'id', schema: z.string() },
          { in: 'body', schema: z.strictObject({}) },
        ]),
        route('get', '/plain', [], [{ critical: true }]),
        route('get', '/essential', [], [{ critical: true }, { critical: false }]),
      ],
      INFO,
    );
    const post = doc.paths['/things/{id}'].post;
    expect(codes(post, 400)).toEqual(['E_VALIDATION', 'E_BAD_REQUEST']);
    expect(codes(post, 413)).toEqual(['E_PAYLOAD_TOO_LARGE']);
    expect(codes(post, 415)).toEqual(['E_UNSUPPORTED_MEDIA_TYPE']);
    expect(codes(post, 414)).toEqual(['E_URI_TOO_LONG']);
    expect(codes(post, 503)).toEqual(['E_OVERLOADED', 'E_SHUTTING_DOWN']);
    const plain = doc.paths['/plain'].get;
    expect(codes(plain, 400)).toEqual(['E_BAD_REQUEST']);
    expect(codes(plain, 503)).toEqual(['E_SHUTTING_DOWN']);
    expect(Object.keys(plain.responses)).toEqual(['200', '400', '500', '503']);
    // A handler's own criticality wins over its controller's.
    expect(codes(doc.paths['/essential'].get, 503)).toEqual(['E_OVERLOADED', 'E_SHUTTING_DOWN']);
  });

  it("joins the contract's parts: a route's problems and the kit decorators' by status, headers and security", () => {
    const parts: RouteContract[] = [
      {
        tags: ['admin'],
        security: { adminToken: { type: 'http', scheme: 'bearer' } },
        problems: [{ status: 401, code: 'E_ADMIN_UNAUTHORIZED', when: 'no token' }],
      },
      { problems: [{ status: 503, code: 'E_FEATURE_DISABLED', when: 'off' }], headers: { 'x-degraded': { description: 'fallback' } } },
      { summary: 'One thing', response: item, problems: [{ status: 404, code: 'E_NOT_FOUND', when: 'no such thing' }] },
    ];
    const doc: Json = buildOpenApiDocument([route('get', '/admin/things', [], parts)], INFO);
    const op = doc.paths['/admin/things'].get;
    expect(op).toMatchObject({ summary: 'One thing', tags: ['admin'], security: [{ adminToken: [] }] });
    expect(doc.components.securitySchemes).toEqual({ adminToken: { type: 'http', scheme: 'bearer' } });
    expect(codes(op, 404)).toEqual(['E_NOT_FOUND']);
    expect(codes(op, 503)).toEqual(['E_FEATURE_DISABLED', 'E_OVERLOADED', 'E_SHUTTING_DOWN']);
    expect(op.responses['503'].headers['retry-after']).toEqual({ $ref: '#/components/headers/RetryAfter' });
    expect(op.responses['401'].headers['www-authenticate']).toMatchObject({ required: true });
    expect(Object.keys(op.responses['200'].headers)).toEqual(['x-request-id', 'x-degraded']);
  });

  it('keeps a non-problem answer beside the problems of the same status (a probe’s 503), Retry-After then optional', () => {
    const body = z.strictObject({ status: z.string() });
    const doc: Json = buildOpenApiDocument(
      [route('get', '/health/ready', [], [{ critical: true, response: body, responses: { 503: { description: 'not ready', schema: body } } }])],
      INFO,
    );
    const res = doc.paths['/health/ready'].get.responses['503'];
    expect(Object.keys(res.content)).toEqual(['application/json', 'application/problem+json']);
    expect(res.description).toMatch(/^not ready; or a problem: `E_SHUTTING_DOWN`/);
    expect(res.headers['retry-after']).not.toHaveProperty('required', true);
  });

  it('documents a 204 without a body, and a declared media type without a schema', () => {
    const doc: Json = buildOpenApiDocument(
      [route('delete', '/things/:id', [], [{ response: item }], 204), route('get', '/files', [], [{ response: { contentType: '*/*' } }])],
      INFO,
    );
    expect(doc.paths['/things/{id}'].delete.responses['204']).not.toHaveProperty('content');
    expect(doc.paths['/files'].get.responses['200'].content).toEqual({ '*/*': {} });
  });
});
