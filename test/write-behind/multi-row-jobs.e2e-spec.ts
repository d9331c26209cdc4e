import type { Job } from 'bullmq';
import { productBody } from '../support/problem-expectations';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';
import { writesFlushed } from '../support/write-behind';
import type { FeatureQueue } from '../../src/write-behind/feature-queue';
import { DeadLettersService } from '../../src/write-behind/dead-letters.service';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';
import type { WriteJobData } from '../../src/write-behind/write-behind.types';

/**
 * One job per group commit: the writes that reach Redis together travel as one BullMQ job of
 * their rows, and the worker moves that job through BullMQ's scripts once. Retries and dead
 * letters stay per row: a row that fails in a job of several is split off as a job of its own,
 * and its neighbours land.
 */
describe('write-behind: one job for the rows of a group commit (e2e)', () => {
  let t: TestApp;
  let feature: FeatureQueue;

  beforeAll(async () => {
    // Five attempts (the default): the split-off job of a row has four.
    t = await startTestApp({ env: { WRITE_BEHIND_ATTEMPTS: '5', WRITE_BEHIND_BACKOFF_BASE_MS: '200', WRITE_BEHIND_BACKOFF_CAP_MS: '400' } });
    feature = t.app.get(WriteBehindRegistry).get('products')!;
    // A row named FLAKY conflicts (23505, retryable) while flaky_on has a row: the edge cannot know.
    await t.sql('CREATE TABLE flaky_on (x int)');
    await t.sql(`CREATE FUNCTION flaky() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.name = 'FLAKY' AND EXISTS (SELECT 1 FROM flaky_on) THEN RAISE EXCEPTION 'flaky for now' USING ERRCODE = '23505'; END IF;
        RETURN NEW;
      END $$`);
    await t.sql('CREATE TRIGGER flaky BEFORE INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION flaky()');
  });
  afterAll(() => t?.close());

  const bulkCreate = (names: readonly string[]) =>
    t.app.inject({ method: 'POST', url: '/products/bulk', payload: { items: names.map((name) => ({ op: 'create', product: productBody({ name }) })) } });
  const createdIds = (res: Awaited<ReturnType<typeof bulkCreate>>) =>
    res.json<{ items: Array<{ status: number; product: { id: number } }> }>().items.map((i) => i.product.id);
  const jobs = (...states: Array<'waiting' | 'delayed' | 'completed' | 'failed'>) => feature.queue.getJobs(states) as Promise<Array<Job<WriteJobData>>>;

  it('the writes of one group are one job of their rows, and land together', async () => {
    await feature.queue.pause();
    const res = await bulkCreate(['Row A', 'Row B', 'Row C', 'Row D']);
    expect(res.statusCode).toBe(200);
    const ids = createdIds(res);

    const queued = await jobs('waiting');
    expect(queued).toHaveLength(1);
    expect(queued[0].id).toMatch(/^w\d+$/);
    expect(queued[0].data.rows).toEqual(ids.map((id) => ({ id, kind: 'upsert', version: 1, meta: expect.any(String) })));
    const before = await feature.snapshot();
    expect(before).toMatchObject({ queueDepth: 1, pendingRows: 4 });

    await feature.queue.resume();
    await writesFlushed(t.app);
    const landed = await t.sql<{ name: string }>('SELECT name FROM products WHERE id = ANY($1) ORDER BY id', [ids]);
    expect(landed.map((r) => r.name)).toEqual(['Row A', 'Row B', 'Row C', 'Row D']);
    const after = await feature.snapshot();
    expect(after.flushLagCount - before.flushLagCount).toBe(4);
  });

  it('a row failing in a job of several is split off: its neighbours land at once, it retries alone after a backoff and lands; no dead letter', async () => {
    await t.sql('INSERT INTO flaky_on VALUES (1)');
    const before = await feature.snapshot();
    const res = await bulkCreate(['Good 1', 'FLAKY', 'Good 2']);
    const [good1, flaky, good2] = createdIds(res);

    await waitFor(async () => (await t.sql('SELECT 1 FROM products WHERE id = ANY($1)', [[good1, good2]])).length === 2, 5_000, 'the neighbours to land');
    let split: Job<WriteJobData> | undefined;
    await waitFor(
      async () => {
        split = (await jobs('waiting', 'delayed')).find((job) => job.data.rows[0]?.id === flaky);
        return split !== undefined;
      },
      5_000,
      'the split-off job of the failed row',
    );
    expect(split!.id).toBe(`${split!.data.splitFrom}.${flaky}`);
    expect(split!.data.rows).toEqual([{ id: flaky, kind: 'upsert', version: 1, meta: expect.any(String) }]);
    expect(split!.opts.attempts).toBe(feature.config.attempts - 1);
    expect(await t.sql('SELECT 1 FROM products WHERE id = $1', [flaky])).toEqual([]);
    // It keeps failing alone, spaced by the backoff (two of its four runs started: two at least are left); then the conflict goes away and it lands.
    await waitFor(async () => (await feature.snapshot()).retries - before.retries >= 2, 5_000, 'a second retry of the split-off row');
    await t.sql('DELETE FROM flaky_on');
    await writesFlushed(t.app);
    expect(await t.sql('SELECT name, version FROM products WHERE id = $1', [flaky])).toEqual([{ name: 'FLAKY', version: 1 }]);
    const after = await feature.snapshot();
    expect(after.deadLettered - before.deadLettered).toBe(0);
    expect(await jobs('failed')).toEqual([]);
  });

  it('a row that keeps failing in a job of several: out of the attempts the job had left, a dead letter of its own with its op; the read model corrected', async () => {
    await t.sql('INSERT INTO flaky_on VALUES (1)');
    const before = await feature.snapshot();
    const res = await bulkCreate(['Good 3', 'FLAKY', 'Good 4']);
    const [, flaky] = createdIds(res);
    const deadLetters = t.app.get(DeadLettersService);

    await waitFor(async () => (await deadLetters.list('products')).some((l) => l.id === flaky), 10_000, 'the dead letter of the row');
    const letter = (await deadLetters.list('products')).find((l) => l.id === flaky)!;
    // The job's first attempt, then the split-off job's four (WRITE_BEHIND_ATTEMPTS=5).
    expect(letter).toMatchObject({
      id: flaky,
      version: 1,
      kind: 'upsert',
      attempts: 4,
      reason: { code: '23505' },
      state: expect.objectContaining({ name: 'FLAKY' }),
    });
    expect(letter.jobId).toMatch(new RegExp(`^w\\d+\\.${flaky}$`));
    expect((await feature.snapshot()).deadLettered - before.deadLettered).toBe(1);
    // PostgreSQL never had it, and the read model no longer shows it.
    expect((await t.app.inject({ method: 'GET', url: `/products/${flaky}` })).statusCode).toBe(404);
    await t.sql('DELETE FROM flaky_on');
    await deadLetters.discard('products', letter.jobId);
  });
});
