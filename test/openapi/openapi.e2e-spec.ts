import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpRequest } from '../support/http-client';
import { OpenApiContract, type OpenApiDoc } from '../support/openapi-contract';
import { WidgetsFeatureModule } from '../support/widgets-feature.module';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * `/openapi.json` and `/docs` on the real app: the document is valid OpenAPI 3.1 (a real
 * validator), lists exactly the routes Fastify has, puts the admin API in its own tag behind the
 * bearer scheme and leaves it out while the admin API is off; the docs page and its files come
 * from this server; in production both are off unless OPENAPI_ENABLED=true.
 */
const TOKEN = 'openapi-e2e-token-0123456789abc';

/** The document as the tests read it: plain JSON, walked by path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** `GET /products/:id` → `GET /products/{id}`: what Fastify registered, as the document names it. */
function recordRoutes(app: NestFastifyApplication, into: string[]): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') into.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
    });
}

async function documentOf(t: TestApp): Promise<Json> {
  const res = await httpRequest(t.url, { path: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.json();
}

/** `@seriousme/openapi-schema-validator`'s verdict on `doc` (an ES module: run by node beside Jest). */
function validateOpenApi(doc: unknown): { valid: boolean; version: string; errors?: unknown } {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  try {
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
    const out = execFileSync(process.execPath, [join(__dirname, '..', 'support', 'openapi-validate.mjs'), join(dir, 'openapi.json')], { encoding: 'utf8' });
    return JSON.parse(out) as { valid: boolean; version: string; errors?: unknown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function operations(doc: OpenApiDoc): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
}

describe('the OpenAPI document and the docs page (e2e)', () => {
  describe('with the admin API on', () => {
    let t: TestApp;
    const routes: string[] = [];
    let doc: Json;

    beforeAll(async () => {
      t = await startTestApp({ listen: true, env: { ADMIN_TOKEN: TOKEN }, beforeInit: (app) => recordRoutes(app, routes) });
      doc = await documentOf(t);
    });
    afterAll(() => t?.close());

    it('is valid OpenAPI 3.1', () => {
      const result = validateOpenApi(doc);
      expect(result.errors).toBeUndefined();
      expect(result).toEqual({ valid: true, version: '3.1' });
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info).toMatchObject({ title: 'bulwark', version: expect.any(String) });
    });

    it('lists every route Fastify serves, and no other', () => {
      expect(operations(doc).sort()).toEqual([...new Set(routes)].sort());
      expect(routes).toEqual(expect.arrayContaining(['GET /products/{id}', 'GET /openapi.json', 'GET /docs', 'PUT /admin/switches/{feature}']));
    });

    it('has a declared contract for every route: a summary of its own and a success body unless 204', () => {
      const undeclared = operations(doc).filter((op) => {
        const [method, path] = op.split(' ');
        const operation = doc.paths[path][method.toLowerCase()];
        const [status, success] = Object.entries(operation.responses as Record<string, { content?: unknown }>).find(([code]) => code.startsWith('2'))!;
        return operation.summary === op || (status !== '204' && success.content === undefined);
      });
      expect(undeclared).toEqual([]);
    });

    it('documents parameters and bodies from the validation schemas', () => {
      const get = doc.paths['/products/{id}'].get;
      expect(get.parameters).toEqual(
        expect.arrayContaining([
          { name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'string', pattern: '^[1-9][0-9]{0,15}$' }) },
          expect.objectContaining({ name: 'if-none-match', in: 'header', required: false }),
        ]),
      );
      const list = doc.paths['/products'].get.parameters.map((p: { name?: string }) => p.name);
      expect(list).toEqual(expect.arrayContaining(['ids', 'limit', 'cursor']));
      const create = doc.paths['/products'].post.requestBody.content['application/json'].schema;
      expect(create).toMatchObject({ type: 'object', additionalProperties: false, required: ['sku', 'name', 'priceMinor', 'currency'] });
      expect(doc.paths['/products/{id}'].put.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'if-match', in: 'header' })]));
    });

    it('documents headers and problems with their codes', () => {
      const get = doc.paths['/products/{id}'].get.responses;
      expect(Object.keys(get['200'].headers)).toEqual(expect.arrayContaining(['x-request-id', 'x-cache', 'etag', 'cache-control']));
      expect(get['304']).toBeDefined();
      const codes = (status: string) => get[status].content['application/problem+json'].schema.allOf[1].properties.code.enum;
      expect(codes('404')).toEqual(['E_NOT_FOUND']);
      expect(codes('400')).toEqual(expect.arrayContaining(['E_VALIDATION']));
      expect(codes('503')).toEqual(expect.arrayContaining(['E_DEPENDENCY_UNAVAILABLE', 'E_LOAD_TIMEOUT', 'E_OVERLOADED', 'E_SHUTTING_DOWN']));
      expect(get['503'].headers['retry-after']).toEqual({ $ref: '#/components/headers/RetryAfter' });
      const recommendations = doc.paths['/products/{id}/recommendations'].get.responses;
      expect(Object.keys(recommendations['200'].headers)).toEqual(expect.arrayContaining(['x-degraded', 'x-fallback']));
      expect(recommendations['503'].content['application/problem+json'].schema.allOf[1].properties.code.enum).toContain('E_FEATURE_DISABLED');
      // Critical routes are never refused for overload.
      expect(doc.paths['/health/ready'].get.responses['503'].content['application/problem+json'].schema.allOf[1].properties.code.enum).not.toContain(
        'E_OVERLOADED',
      );
      expect(doc.components.schemas.Problem).toMatchObject({ type: 'object', required: expect.arrayContaining(['type', 'title', 'status', 'code']) });
    });

    it('puts the admin API in its own tag behind the bearer scheme', () => {
      expect(doc.components.securitySchemes).toEqual({ adminToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
      const admin = operations(doc).filter((op) => op.includes(' /admin/'));
      expect(admin.length).toBeGreaterThan(10);
      for (const op of admin) {
        const [method, path] = op.split(' ');
        const operation = doc.paths[path][method.toLowerCase()];
        expect({ op, tags: operation.tags, security: operation.security }).toEqual({ op, tags: ['admin'], security: [{ adminToken: [] }] });
        expect(operation.responses['401']).toBeDefined();
      }
      expect(doc.paths['/products/{id}'].get.security).toBeUndefined();
    });

    it('serves the docs page and its files from this server, none from elsewhere', async () => {
      const page = await httpRequest(t.url, { path: '/docs' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).not.toMatch(/https?:\/\//);
      const files = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(files).toEqual(expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js']));
      for (const file of files) {
        const res = await httpRequest(t.url, { path: file });
        expect({ file, status: res.statusCode, length: res.body.length > 0 }).toEqual({ file, status: 200, length: true });
      }
      const init = await httpRequest(t.url, { path: '/docs/init.js' });
      expect(init.body).toContain("url: '/openapi.json'");
      expect((await httpRequest(t.url, { path: '/docs/swagger-ui-bundle.js' })).headers['content-type']).toMatch(/^text\/javascript/);
      // Only the listed names: nothing else of the file system is reachable.
      expect((await httpRequest(t.url, { path: '/docs/index.html' })).statusCode).toBe(400);
      expect((await httpRequest(t.url, { path: '/docs/..%2Fpackage.json' })).statusCode).toBe(400);
    });
  });

  it("puts a feature's routes in the document by themselves: its pipes' schemas, its @ApiRoute, its kit decorators", async () => {
    const t = await startTestApp({ listen: true, modules: [WidgetsFeatureModule] });
    try {
      const doc = await documentOf(t);
      const get = doc.paths['/widgets/{id}'].get;
      expect(get.summary).toBe('One widget');
      expect(get.parameters[0]).toEqual({ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]{1,6}$' } });
      expect(get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TestWidget' });
      expect(Object.keys(get.responses['200'].headers)).toEqual(expect.arrayContaining(['x-cache', 'etag']));
      expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['304', '400', '404', '503']));
      expect(doc.paths['/widgets'].post.requestBody.content['application/json'].schema).toMatchObject({ required: ['name'], additionalProperties: false });
      expect(validateOpenApi(doc)).toEqual({ valid: true, version: '3.1' });
      // And its answers keep to it.
      const contract = new OpenApiContract(doc);
      const answers = await Promise.all(
        [
          ['GET /widgets/{id}', { path: '/widgets/1' }],
          ['GET /widgets/{id}', { path: '/widgets/x' }],
          ['GET /widgets/{id}', { path: '/widgets/999' }],
          ['POST /widgets', { method: 'POST', path: '/widgets', headers: { 'content-type': 'application/json' }, body: '{"name":"Gear"}' }],
          ['POST /widgets', { method: 'POST', path: '/widgets', headers: { 'content-type': 'application/json' }, body: '{"name":""}' }],
        ].map(async ([op, request]) => ({ op: op as string, res: await httpRequest(t.url, request as { path: string }) })),
      );
      expect(answers.map(({ res }) => res.statusCode)).toEqual([200, 400, 404, 201, 400]);
      expect(answers.flatMap(({ op, res }) => contract.check(op, res))).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('leaves the admin API out while it is off (no ADMIN_TOKEN)', async () => {
    const t = await startTestApp({ listen: true });
    try {
      const doc = await documentOf(t);
      expect(operations(doc).filter((op) => op.includes('/admin'))).toEqual([]);
      expect(doc.components).not.toHaveProperty('securitySchemes');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/products/{id}', '/health/ready']));
    } finally {
      await t.close();
    }
  });

  it('is off in production unless OPENAPI_ENABLED=true, and can be turned off anywhere', async () => {
    const production = await startTestApp({ listen: true, env: { NODE_ENV: 'production' } });
    try {
      for (const path of ['/openapi.json', '/docs', '/docs/init.js']) {
        const res = await httpRequest(production.url, { path });
        expect({ path, status: res.statusCode, type: res.headers['content-type'] }).toEqual({
          path,
          status: 404,
          type: expect.stringMatching(/^application\/problem\+json/),
        });
      }
    } finally {
      await production.close();
    }
    const enabled = await startTestApp({ listen: true, env: { NODE_ENV: 'production', OPENAPI_ENABLED: 'true' } });
    try {
      expect((await httpRequest(enabled.url, { path: '/openapi.json' })).statusCode).toBe(200);
    } finally {
      await enabled.close();
    }
    const off = await startTestApp({ listen: true, env: { OPENAPI_ENABLED: 'false' } });
    try {
      expect((await httpRequest(off.url, { path: '/openapi.json' })).statusCode).toBe(404);
    } finally {
      await off.close();
    }
  });
});
