// #if jobs
import { JobsRegistry } from '../src/jobs';
import { {{Name}}Publisher } from '../src/features/{{name}}/{{name}}.publisher';
// #endif
// #if jobs
import { startTestApp, waitFor, type TestApp } from './support/test-app';
// #else
import { startTestApp, type TestApp } from './support/test-app';
// #endif
// #if writeBehind
import { writesFlushed } from './support/write-behind';
// #endif

// #if degradable
const ADMIN = { authorization: `Bearer {{name}}-e2e-admin-token-0123` };

// #endif
/** The {{name}} endpoints against real PostgreSQL and Redis (generated: extend it with the feature's own rules). */
describe('{{name}} (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
// #if degradable
    t = await startTestApp({ env: { ADMIN_TOKEN: '{{name}}-e2e-admin-token-0123', DEGRADATION_SHEDDING_ENABLED: 'false' } });
// #else
    t = await startTestApp();
// #endif
// #if !writeBehind
    await t.sql("INSERT INTO {{table}} (name) SELECT 'item ' || g FROM generate_series(1, 3) AS g");
// #endif
  });
  afterAll(() => t?.close());

// #if writeBehind
  it('creates, reads (then from the cache), replaces and deletes a {{thing}}; each write lands in PostgreSQL', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/{{name}}', payload: { name: 'first' } });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: number }>();
    expect(created.headers.location).toBe(`/{{name}}/${id}`);
    const read = await t.app.inject({ method: 'GET', url: `/{{name}}/${id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id, name: 'first', version: 1 });
    expect((await t.app.inject({ method: 'GET', url: `/{{name}}/${id}` })).headers['x-cache']).toMatch(/^L[12]$/);
    await writesFlushed(t.app);
    expect(await t.sql('SELECT name, version FROM {{table}} WHERE id = $1', [id])).toEqual([{ name: 'first', version: 1 }]);

    const replaced = await t.app.inject({ method: 'PUT', url: `/{{name}}/${id}`, payload: { name: 'second' } });
    expect(replaced.json()).toMatchObject({ id, name: 'second', version: 2 });
    expect((await t.app.inject({ method: 'GET', url: `/{{name}}/${id}` })).json()).toMatchObject({ name: 'second' });

    expect((await t.app.inject({ method: 'DELETE', url: `/{{name}}/${id}` })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/{{name}}/${id}` })).statusCode).toBe(404);
    await writesFlushed(t.app);
    expect(await t.sql('SELECT id FROM {{table}} WHERE id = $1', [id])).toEqual([]);
  });

  it('pages in id order and a write is in the next page read', async () => {
    for (const name of ['a', 'b', 'c']) await t.app.inject({ method: 'POST', url: '/{{name}}', payload: { name } });
    await writesFlushed(t.app);
    const first = (await t.app.inject({ method: 'GET', url: '/{{name}}?limit=2' })).json<{ items: { name: string }[]; nextCursor: string }>();
    expect(first.items.map((i) => i.name)).toEqual(['a', 'b']);
    const second = (await t.app.inject({ method: 'GET', url: `/{{name}}?limit=2&cursor=${first.nextCursor}` })).json<{ items: unknown[]; nextCursor: null }>();
    expect(second).toMatchObject({ items: [{ name: 'c' }], nextCursor: null });
    await t.app.inject({ method: 'POST', url: '/{{name}}', payload: { name: 'd' } });
    await writesFlushed(t.app);
    const again = (await t.app.inject({ method: 'GET', url: `/{{name}}?limit=2&cursor=${first.nextCursor}` })).json<{ items: { name: string }[] }>();
    expect(again.items.map((i) => i.name)).toEqual(['c', 'd']);
  });

  it('refuses bad input with a 400 problem and writes nothing', async () => {
    const [{ count: before }] = await t.sql<{ count: string }>('SELECT count(*) FROM {{table}}');
    for (const payload of [{}, { name: '' }, { name: 'x'.repeat(201) }, { name: 'ok', extra: true }]) {
      const res = await t.app.inject({ method: 'POST', url: '/{{name}}', payload });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await t.app.inject({ method: 'PUT', url: '/{{name}}/999999', payload: { name: 'ghost' } })).statusCode).toBe(404);
    await writesFlushed(t.app);
    const [{ count: after }] = await t.sql<{ count: string }>('SELECT count(*) FROM {{table}}');
    expect(after).toBe(before);
  });
// #else
  it('reads a {{thing}} (then from the cache) and pages in id order', async () => {
    const read = await t.app.inject({ method: 'GET', url: '/{{name}}/1' });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: 1, name: 'item 1', version: 1 });
    expect((await t.app.inject({ method: 'GET', url: '/{{name}}/1' })).headers['x-cache']).toMatch(/^L[12]$/);
    const first = (await t.app.inject({ method: 'GET', url: '/{{name}}?limit=2' })).json<{ items: { id: number }[]; nextCursor: string }>();
    expect(first.items.map((i) => i.id)).toEqual([1, 2]);
    const second = (await t.app.inject({ method: 'GET', url: `/{{name}}?limit=2&cursor=${first.nextCursor}` })).json();
    expect(second).toMatchObject({ items: [{ id: 3 }], nextCursor: null });
  });
// #endif

  it('answers problems for a bad id, an unknown one and a bad page query', async () => {
    for (const [url, status] of [
      ['/{{name}}/abc', 400],
      ['/{{name}}/0', 400],
      ['/{{name}}/999999', 404],
      ['/{{name}}?limit=0', 400],
      ['/{{name}}?cursor=nope', 400],
      ['/{{name}}?colour=red', 400],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url });
      expect([url, res.statusCode]).toEqual([url, status]);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
// #if degradable

  it('behind its switch: the page answers the fallback, the item 503, both marked x-degraded', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/admin/switches/{{name}}', headers: ADMIN, payload: { state: 'fallback' } });
    expect(put.statusCode).toBe(200);
    try {
      const page = await t.app.inject({ method: 'GET', url: '/{{name}}' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['x-degraded']).toBe('{{name}}');
      expect(page.json()).toEqual({ items: [], nextCursor: null });
      const item = await t.app.inject({ method: 'GET', url: '/{{name}}/1' });
      expect(item.statusCode).toBe(503);
      expect(item.json()).toMatchObject({ code: 'E_FEATURE_DISABLED' });
    } finally {
      await t.app.inject({ method: 'DELETE', url: '/admin/switches/{{name}}', headers: ADMIN });
    }
  });
// #endif
// #if jobs

  it('runs a published job (published twice: one job per key)', async () => {
    const publisher = t.app.get({{Name}}Publisher, { strict: false });
    await publisher.publish({ id: 1, version: 1 });
    await publisher.publish({ id: 1, version: 1 });
    const entry = t.app.get(JobsRegistry).get('{{name}}-jobs')!;
    await waitFor(async () => (await entry.queue.getJobState('{{thing}}:1:v1')) === 'completed', 10_000, 'the job to complete');
    expect(entry.stats.failed).toBe(0);
  });
// #endif
});
