import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loads, notes, NotesFeatureModule } from '../support/notes-feature.module';
import { SharedIsolation } from '../support/shared-isolation';
import { startTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(30_000);

/**
 * `@CacheEvict()` on a test-only feature (`test/support/notes-feature.module.ts`) that uses the kit's
 * decorators only, on two in-process instances A and B sharing one key prefix (as pods share Redis);
 * the notes live in one in-memory map both instances read, as pods share a database:
 * - a write through A evicts the key from A, from L2 and from B's L1 (over the bus) before A answers;
 * - a handler that throws evicts nothing;
 * - a tag evicts every key cached under it;
 * - a delete evicts, and the next read is the 404.
 */
describe('@CacheEvict (e2e)', () => {
  const shared = new SharedIsolation();
  let a: TestApp;
  let b: TestApp;

  const read = async (app: TestApp, id: string) => {
    const res = await app.app.inject({ method: 'GET', url: `/notes/${id}` });
    return { status: res.statusCode, tier: res.headers['x-cache'], text: res.statusCode === 200 ? res.json<{ text: string }>().text : undefined };
  };
  const send = (app: TestApp, method: 'PUT' | 'POST' | 'DELETE', url: string, text?: string) =>
    app.app.inject({ method, url, ...(text === undefined ? {} : { payload: { text } }) });

  beforeAll(async () => {
    // L1 stays fresh for a minute: only an eviction explains a fresh read.
    const env = shared.env({ CACHE_JITTER_PERCENT: '0', CACHE_L1_TTL_MS: '60000', CACHE_NEGATIVE_TTL_MS: '60000' });
    a = await startTestApp({ env, modules: [NotesFeatureModule] });
    b = await startTestApp({ env, modules: [NotesFeatureModule] });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await shared.cleanup();
  });
  beforeEach(() => notes.clear());

  it('a write through A evicts the key everywhere: A and B then load the new value', async () => {
    notes.set('w', 'first');
    expect(await read(a, 'w')).toEqual({ status: 200, tier: 'MISS', text: 'first' });
    expect(await read(b, 'w')).toEqual({ status: 200, tier: 'L2', text: 'first' });
    expect(await read(b, 'w')).toEqual({ status: 200, tier: 'L1', text: 'first' });

    const put = await send(a, 'PUT', '/notes/w', 'second');
    expect(put.statusCode).toBe(200);
    const writtenAt = performance.now();
    // A answered after the eviction: its own next read misses at once.
    expect(await read(a, 'w')).toEqual({ status: 200, tier: 'MISS', text: 'second' });
    // B drops its L1 copy when the bus message arrives (the bus e2e holds it to 100 ms).
    let seen = await read(b, 'w');
    while (seen.text !== 'second' && performance.now() - writtenAt < 1_000) {
      await sleep(5);
      seen = await read(b, 'w');
    }
    expect(seen.text).toBe('second');
  });

  it('a handler that throws evicts nothing', async () => {
    notes.set('f', 'kept');
    await read(a, 'f');
    expect(await read(a, 'f')).toEqual({ status: 200, tier: 'L1', text: 'kept' });
    const loadsBefore = loads.count;

    const failed = await send(a, 'PUT', '/notes/f/failing', 'changed');
    expect(failed.statusCode).toBe(500);
    expect(notes.get('f')).toBe('changed');

    expect(await read(a, 'f')).toEqual({ status: 200, tier: 'L1', text: 'kept' });
    expect(await read(b, 'f')).toEqual({ status: 200, tier: 'L2', text: 'kept' });
    expect(loads.count).toBe(loadsBefore);
  });

  it('a tag evicts every key cached under it', async () => {
    notes.set('t1', 'one');
    notes.set('t2', 'two');
    for (const id of ['t1', 't2']) {
      await read(a, id);
      expect((await read(a, id)).tier).toBe('L1');
    }

    const shout = await send(b, 'POST', '/notes/shout');
    expect(shout.statusCode).toBe(201);

    // B evicted through the tag index in Redis; A learns it over the bus.
    const shoutedAt = performance.now();
    let seen = await Promise.all([read(a, 't1'), read(a, 't2')]);
    while (seen.some((note) => note.text !== note.text?.toUpperCase()) && performance.now() - shoutedAt < 1_000) {
      await sleep(5);
      seen = await Promise.all([read(a, 't1'), read(a, 't2')]);
    }
    expect(seen.map((note) => note.text)).toEqual(['ONE', 'TWO']);
  });

  it('a delete evicts, and the next read is the 404', async () => {
    notes.set('d', 'doomed');
    await read(a, 'd');
    expect((await read(a, 'd')).tier).toBe('L1');

    const removed = await send(a, 'DELETE', '/notes/d');
    expect(removed.json()).toEqual({ deleted: true });

    expect(await read(a, 'd')).toEqual({ status: 404, tier: undefined, text: undefined });
  });
});
