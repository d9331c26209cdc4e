import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { HttpResponse } from './http-client';
import type { TestApp } from './test-app';

/**
 * What must never reach a client in an error body: stack frames, SQL,
 * module paths, ORM error names.
 */
export const LEAK = /at \w+ \(|SELECT|INSERT|UPDATE\s|DELETE\s+FROM|node_modules|QueryFailedError|\.ts:\d+/;

/** Where one `errors[]` item points: `{ pointer: '#/name' }`, `{ parameter: 'id' }` or `{ header: 'if-match' }`. */
export type ProblemLocation = { pointer: string } | { parameter: string } | { header: string };

/** The problem a bad request must get. `errors` omitted: the body has no `errors` member. */
export interface ExpectedProblem {
  readonly status: number;
  readonly code: string;
  readonly errors?: readonly ProblemLocation[];
}

/** A row of `SELECT id, sku, name, version FROM products`: enough to see any write. */
export type ProductSnapshot = { id: string; sku: string; name: string; version: number }[];

/** Every product's id, sku, name and version, in id order. */
export function snapshot(t: TestApp): Promise<ProductSnapshot> {
  return t.sql('SELECT id, sku, name, version FROM products ORDER BY id');
}

/**
 * Asserts `res` is exactly one RFC 9457 problem: status, media type, the
 * documented members and no others (so no `stack` or `cause`), `requestId`
 * equal to the `x-request-id` header, `errors[]` locating exactly
 * `expected.errors` (any order), and nothing in the body that looks like a
 * stack trace or SQL.
 */
export function expectProblem(res: HttpResponse, path: string, expected: ExpectedProblem): void {
  expect({ status: res.statusCode, contentType: res.headers['content-type'] }).toEqual({
    status: expected.status,
    contentType: expect.stringMatching(/^application\/problem\+json(;|$)/),
  });
  expect(res.body).not.toMatch(LEAK);
  const body = res.json<Record<string, unknown>>();
  expect(body).toEqual({
    type: `/problems/${expected.code.slice(2).toLowerCase().replaceAll('_', '-')}`,
    title: expect.any(String),
    status: expected.status,
    detail: expect.stringMatching(/\S/),
    instance: path,
    code: expected.code,
    requestId: res.headers['x-request-id'],
    ...(expected.errors === undefined ? {} : { errors: expect.any(Array) }),
  });
  if (expected.errors === undefined) return;
  const errors = body.errors as { detail: unknown }[];
  // Each item: a non-empty detail and exactly one location.
  for (const item of errors) {
    expect(Object.keys(item).sort()).toEqual(['detail', expect.stringMatching(/^(pointer|parameter|header)$/)]);
    expect(item.detail).toEqual(expect.stringMatching(/\S/));
  }
  const located = errors.map(({ detail: _detail, ...location }) => location);
  expect(located).toHaveLength(expected.errors.length);
  expect(located).toEqual(expect.arrayContaining([...expected.errors]));
}

/**
 * Sends `request` and asserts the whole contract of a rejected request: the
 * problem (see {@link expectProblem}), the products table unchanged, and the
 * app still answering `GET /products/1` with 200.
 */
export async function expectRejected(t: TestApp, request: InjectOptions, expected: ExpectedProblem): Promise<LightMyRequestResponse> {
  const before = await snapshot(t);
  const res = await t.app.inject(request);
  if (typeof request.url !== 'string') throw new Error('expectRejected: give the request a string url');
  expectProblem(res, request.url.split('?')[0], expected);
  expect(await snapshot(t)).toEqual(before);
  await expectStillServing(t);
  return res;
}

/** The app still serves a known product. */
export async function expectStillServing(t: TestApp): Promise<void> {
  const res = await t.app.inject({ method: 'GET', url: '/products/1' });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ id: 1 });
}

let skuCounter = 0;

/** A valid create/replace body with a fresh SKU; `overrides` win (set a field to `undefined` to drop it). */
export function productBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    sku: `BAD-INPUT-${++skuCounter}`,
    name: 'Teapot',
    priceMinor: 2599,
    currency: 'EUR',
    stock: 3,
    tags: ['kitchen'],
    ...overrides,
  };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}
