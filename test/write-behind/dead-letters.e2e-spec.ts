import { Worker } from 'bullmq';
import { productBody } from '../support/problem-expectations';
import { connectTestRedis } from '../support/redis-keys';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';
import { DeadLettersService } from '../../src/write-behind/dead-letters.service';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';
import { queueName } from '../../src/write-behind/write-behind.constants';

/**
 * A row PostgreSQL refuses (here: a CHECK constraint added behind the app's
 * back, which the edge cannot know) fails alone after one attempt and becomes
 * a dead letter with its reason; its batch neighbours land; the read model
 * stops showing it; after the cause is fixed, a replay lands it.
 */
const TOKEN = 'dead-letters-e2e-token-0123456789';
/** An admin API request. */
const admin = (t: TestApp, method: 'GET' | 'POST' | 'DELETE', url: string) => t.app.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}` } });

describe('write-behind: poisoned rows and dead letters (e2e)', () => {
  let t: TestApp;
  let deadLetters: DeadLettersService;

  beforeAll(async () => {
    // A long flush interval: the five writes below form one batch.
    t = await startTestApp({ env: { WRITE_BEHIND_FLUSH_INTERVAL_MS: '300', ADMIN_TOKEN: TOKEN } });
    deadLetters = t.app.get(DeadLettersService);
    await t.sql("ALTER TABLE products ADD CONSTRAINT no_poison CHECK (name <> 'POISON')");
  });
  afterAll(() => t?.close());

  it('one poisoned row in a batch: dead letter after one attempt, neighbours land, read model corrected, replay after the fix lands it', async () => {
    const names = ['Good 1', 'Good 2', 'POISON', 'Good 3', 'Good 4'];
    const responses = await Promise.all(names.map((name) => t.app.inject({ method: 'POST', url: '/products', payload: productBody({ name }) })));
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    const ids = responses.map((r) => r.json<{ id: number }>().id);
    const poisonId = ids[2];

    await writesFlushed(t.app);
    const landed = await t.sql<{ id: string; name: string }>('SELECT id, name FROM products WHERE id = ANY($1) ORDER BY id', [ids]);
    expect(landed.map((row) => row.name)).toEqual(['Good 1', 'Good 2', 'Good 3', 'Good 4']);

    await waitFor(async () => (await deadLetters.counts())['products'] === 1, 5_000, 'the dead letter');
    const [letter] = await deadLetters.list('products');
    expect(letter).toMatchObject({ id: poisonId, kind: 'upsert', version: 1, attempts: 1, reason: { code: '23514' } });
    expect(letter.reason.message).toContain('no_poison');
    expect(await deadLetters.show('products', letter.jobId)).toEqual(letter);
    // The same through the admin API.
    // One API for every queue: the job queues are listed too.
    expect((await admin(t, 'GET', '/admin/dead-letters')).json()).toEqual({ products: 1, 'product-events': 0, reviews: 0, 'review-moderation': 0 });
    expect((await admin(t, 'GET', '/admin/dead-letters/products?limit=10')).json()).toEqual([letter]);
    expect((await admin(t, 'GET', `/admin/dead-letters/products/${letter.jobId}`)).json()).toEqual(letter);
    expect((await admin(t, 'GET', '/admin/dead-letters/products?limit=0')).statusCode).toBe(400);
    const stats = await t.app.get(WriteBehindRegistry).get('products')!.snapshot();
    expect(stats).toMatchObject({ deadLetters: 1, deadLettered: 1, retries: 0 });

    // The read model no longer shows a row PostgreSQL refused, and its SKU is free again.
    expect((await t.app.inject({ method: 'GET', url: `/products/${poisonId}` })).statusCode).toBe(404);
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.json()).toMatchObject({ status: 'ok', details: { writeBehind: { status: 'up', products: { deadLetters: 1, queueDepth: 0 } } } });

    // Fix the cause, replay: the write lands and is readable again.
    await t.sql('ALTER TABLE products DROP CONSTRAINT no_poison');
    const replayed = await admin(t, 'POST', `/admin/dead-letters/products/${letter.jobId}/replay`);
    expect(replayed.statusCode).toBe(200);
    await writesFlushed(t.app);
    await waitFor(async () => (await t.sql('SELECT 1 FROM products WHERE id = $1', [poisonId])).length === 1, 5_000, 'the replayed row');
    expect(await t.sql('SELECT name, version FROM products WHERE id = $1', [poisonId])).toEqual([{ name: 'POISON', version: 1 }]);
    const read = await t.app.inject({ method: 'GET', url: `/products/${poisonId}` });
    expect(read.json()).toMatchObject({ id: poisonId, name: 'POISON', version: 1 });
    expect((await deadLetters.counts())['products']).toBe(0);
  });

  it('discard drops a dead letter for good; unknown ids are a 404-class error', async () => {
    await t.sql("ALTER TABLE products ADD CONSTRAINT no_poison2 CHECK (name <> 'POISON 2')");
    const res = await t.app.inject({ method: 'POST', url: '/products', payload: productBody({ name: 'POISON 2' }) });
    expect(res.statusCode).toBe(201);
    await waitFor(async () => (await deadLetters.counts())['products'] === 1, 5_000, 'the dead letter');
    const [letter] = await deadLetters.list('products');
    expect((await admin(t, 'DELETE', `/admin/dead-letters/products/${letter.jobId}`)).statusCode).toBe(204);
    expect(await deadLetters.list('products')).toEqual([]);
    await expect(deadLetters.show('products', letter.jobId)).rejects.toMatchObject({ status: 404 });
    expect((await admin(t, 'GET', `/admin/dead-letters/products/${letter.jobId}`)).statusCode).toBe(404);
    expect((await admin(t, 'GET', '/admin/dead-letters/nope')).statusCode).toBe(404);
    await t.sql('ALTER TABLE products DROP CONSTRAINT no_poison2');
  });

  it('the next write of a dead-lettered row takes the same version again, and lands: its job is not mistaken for the dead letter', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/products', payload: productBody({ name: 'Before poison' }) });
    const { id } = created.json<{ id: number }>();
    await writesFlushed(t.app);
    await t.sql("ALTER TABLE products ADD CONSTRAINT no_poison3 CHECK (name <> 'POISON 3')");
    const poisoned = await t.app.inject({ method: 'PUT', url: `/products/${id}`, payload: productBody({ name: 'POISON 3' }) });
    expect(poisoned.json()).toMatchObject({ version: 2 });
    await waitFor(async () => (await deadLetters.counts())['products'] === 1, 5_000, 'the dead letter');
    await t.sql('ALTER TABLE products DROP CONSTRAINT no_poison3');

    // Redis is back at what PostgreSQL holds (version 1), so this write is version 2 again.
    const next = await t.app.inject({ method: 'PUT', url: `/products/${id}`, payload: productBody({ name: 'After poison' }) });
    expect(next.json()).toMatchObject({ version: 2 });
    await writesFlushed(t.app);
    expect(await t.sql('SELECT name, version FROM products WHERE id = $1', [id])).toEqual([{ name: 'After poison', version: 2 }]);
    const [letter] = await deadLetters.list('products');
    expect(letter).toMatchObject({ id, version: 2, state: expect.objectContaining({ name: 'POISON 3' }) });
    await deadLetters.discard('products', letter.jobId);
  });
});

describe('write-behind: a dead letter that holds no state (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // API only: no worker of the app takes the job below.
    t = await startTestApp({ env: { APP_ROLE: 'api', ADMIN_TOKEN: TOKEN } });
  });
  afterAll(() => t?.close());

  it('jobs carry no state; one that failed when no write of its row was pending is refused on replay with 409, not put back empty', async () => {
    const feature = t.app.get(WriteBehindRegistry).get('products')!;
    // A job as the reconciler or a write adds it: the row and its version, no state (the write state holds that).
    await feature.queue.add('products', { rows: [{ id: 1, kind: 'upsert', version: 99, meta: '' }] }, { jobId: 'stateless-1', attempts: 1 });
    const connection = await connectTestRedis({ maxRetriesPerRequest: null });
    const worker = new Worker(queueName('products'), null, { connection, prefix: feature.bullPrefix, autorun: false });
    try {
      const job = await worker.getNextJob('test-token');
      expect(job.id).toBe('stateless-1');
      expect(job.data).not.toHaveProperty('state');
      await job.moveToFailed(new Error('failed with its batch'), 'test-token');
    } finally {
      await worker.close();
      connection.disconnect();
    }

    const replayed = await admin(t, 'POST', '/admin/dead-letters/products/stateless-1/replay');
    expect(replayed.statusCode).toBe(409);
    expect(replayed.json()).toMatchObject({ code: 'E_DEAD_LETTER_CONFLICT', detail: expect.stringContaining('holds no state') });
    // Nothing was put back: row 1 reads as it was seeded.
    expect((await t.app.inject({ method: 'GET', url: '/products/1' })).json()).toMatchObject({ id: 1, version: 1 });
  });
});
