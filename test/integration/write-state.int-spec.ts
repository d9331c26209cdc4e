import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import type { RowState, WriteRequest } from '../../src/write-behind/write-behind.types';
import { WriteState, type Reservation } from '../../src/write-behind/write-state';
import { deleteKeys } from '../support/redis-keys';
import { TEST_REDIS_URL } from '../support/services';
import { isolationId } from '../support/test-app';

/**
 * The write path's Lua scripts (RESERVE, ROLLBACK, CLAIM, SETTLE, CORRECT,
 * REFRESH, RESTORE) on the real Redis, through {@link WriteState}. Each test
 * has its own key prefix, loaded from the rows below as if PostgreSQL held
 * them; assertions read the raw hashes the scripts keep, so every branch of a
 * script shows in what it leaves behind.
 */
const ENTITY = 'products';
/** What "PostgreSQL" holds when a test's state is loaded: two live rows and a deleted one. */
const ROWS: readonly RowState[] = [
  { id: 1, version: 1, deleted: false, unique: 'SKU-1', meta: 'created-1' },
  { id: 2, version: 3, deleted: false, unique: 'SKU-2', meta: 'created-2' },
  { id: 3, version: 2, deleted: true, unique: '', meta: '' },
];
/** The first id of the reserved block (ids 100…109). */
const FIRST_NEW_ID = 100;

let redis: Redis;
let prefix: string;
let state: WriteState;
/** Every prefix a test used (some start a second dataset): all are deleted after it. */
const used: string[] = [];

/** A fresh key prefix for the test's state, deleted after the test. */
function freshPrefix(): string {
  prefix = `bulwark:test:${isolationId()}:`;
  used.push(prefix);
  return prefix;
}

beforeAll(async () => {
  Logger.overrideLogger(false);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
});
afterAll(async () => {
  await redis.quit();
});

beforeEach(async () => {
  freshPrefix();
  state = await loadedState();
});
afterEach(async () => {
  for (const done of used.splice(0)) await deleteKeys(TEST_REDIS_URL, done);
});

/** A WriteState under the test's prefix, loaded from `rows` with ids from `newIds`. */
async function loadedState(rows: readonly RowState[] = ROWS, newIds: readonly number[] = range(FIRST_NEW_ID, 10)): Promise<WriteState> {
  const loaded = new WriteState(redis, prefix, ENTITY);
  const source = {
    loadStates: async (afterId: number, limit: number) => rows.filter((row) => row.id > afterId).slice(0, limit),
    reserveIds: async (count: number) => newIds.slice(0, count),
  };
  await loaded.ensureLoaded(source, 10);
  return loaded;
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** The raw hashes of the state: rows (id → version|meta|unique), uniq (SKU → id), pend (id → version|kind|meta|body), job (id → job id). */
async function raw(): Promise<{
  rows: Record<string, string>;
  uniq: Record<string, string>;
  pend: Record<string, string>;
  job: Record<string, string>;
  ids: string[];
}> {
  const base = `${prefix}wb:{${ENTITY}}:`;
  const [rows, uniq, pend, job, ids] = await Promise.all([
    redis.hgetall(`${base}rows`),
    redis.hgetall(`${base}uniq`),
    redis.hgetall(`${base}pend`),
    redis.hgetall(`${base}job`),
    redis.lrange(`${base}ids`, 0, -1),
  ]);
  return { rows, uniq, pend, job, ids };
}

const create = (sku: string, name = 'new'): [WriteRequest, string] => [
  { kind: 'create', unique: sku, meta: 'created-new', state: { sku, name } },
  JSON.stringify({ sku, name }),
];
const update = (id: number, sku: string, expectedVersion?: number, name = 'updated'): [WriteRequest, string] => [
  { kind: 'update', id, unique: sku, expectedVersion, state: { sku, name } },
  JSON.stringify({ sku, name }),
];
const remove = (id: number, expectedVersion?: number): [WriteRequest, string] => [{ kind: 'delete', id, expectedVersion }, ''];

async function accepted(write: [WriteRequest, string]): Promise<Extract<Reservation, { kind: 'accepted' }>> {
  const reservation = await state.reserve(...write);
  if (reservation.kind !== 'accepted') throw new Error(`expected the write to be accepted, got ${JSON.stringify(reservation)}`);
  return reservation;
}

describe('RESERVE: the edge checks of a write', () => {
  it('refuses every write until the row states are loaded (NOT_LOADED), and records nothing', async () => {
    freshPrefix();
    const unloaded = new WriteState(redis, prefix, ENTITY);
    await redis.rpush(`${prefix}wb:{${ENTITY}}:ids`, '500');

    expect(await unloaded.reserve(...create('SKU-NEW'))).toEqual({ kind: 'not-loaded' });
    expect(await unloaded.reserve(...update(1, 'SKU-1'))).toEqual({ kind: 'not-loaded' });
    expect(await raw()).toEqual({ rows: {}, uniq: {}, pend: {}, job: {}, ids: ['500'] });
  });

  it('a create takes the next reserved id at version 1 and records its row, SKU, pending state and job', async () => {
    const reservation = await accepted(create('SKU-NEW'));

    expect(reservation).toMatchObject({ id: FIRST_NEW_ID, version: 1, meta: 'created-new', jobId: 'w1', path: 'enqueue', idsLeft: 9 });
    const { rows, uniq, pend, job } = await raw();
    expect(rows[FIRST_NEW_ID]).toBe('1|created-new|SKU-NEW');
    expect(uniq['SKU-NEW']).toBe(String(FIRST_NEW_ID));
    expect(pend[FIRST_NEW_ID]).toBe('1|upsert|created-new|{"sku":"SKU-NEW","name":"new"}');
    expect(job[FIRST_NEW_ID]).toBe('w1');
  });

  it('a create with no reserved id left is NO_IDS', async () => {
    freshPrefix();
    state = await loadedState(ROWS, []);

    expect(await state.reserve(...create('SKU-NEW'))).toEqual({ kind: 'no-ids' });
    expect((await raw()).uniq['SKU-NEW']).toBeUndefined();
  });

  it('an update or delete of an id Redis does not know, or of a deleted row, is MISSING', async () => {
    expect(await state.reserve(...update(999, 'SKU-999'))).toEqual({ kind: 'missing' });
    expect(await state.reserve(...remove(999))).toEqual({ kind: 'missing' });
    expect(await state.reserve(...update(3, 'SKU-3'))).toEqual({ kind: 'missing' });
    expect(await state.reserve(...remove(3))).toEqual({ kind: 'missing' });
    expect((await raw()).rows['3']).toBe('-2||');
    expect((await raw()).pend).toEqual({});
  });

  it('If-Match: a stale expected version is STALE with the current version and changes nothing; the current one or none is accepted', async () => {
    expect(await state.reserve(...update(2, 'SKU-2', 2))).toEqual({ kind: 'stale', currentVersion: 3 });
    expect(await state.reserve(...remove(2, 4))).toEqual({ kind: 'stale', currentVersion: 3 });
    expect((await raw()).rows['2']).toBe('3|created-2|SKU-2');
    expect((await raw()).pend).toEqual({});

    expect(await accepted(update(2, 'SKU-2', 3))).toMatchObject({ version: 4, meta: 'created-2' });
    expect(await accepted(update(2, 'SKU-2'))).toMatchObject({ version: 5 });
    expect(await state.reserve(...remove(2, 4))).toEqual({ kind: 'stale', currentVersion: 5 });
  });

  it("unique SKU: taking another row's SKU is DUPLICATE with its owner (a create gives its id back); a row keeps its own SKU", async () => {
    expect(await state.reserve(...create('SKU-1'))).toEqual({ kind: 'duplicate', ownerId: 1 });
    expect(await state.reserve(...update(2, 'SKU-1'))).toEqual({ kind: 'duplicate', ownerId: 1 });
    expect((await raw()).rows['2']).toBe('3|created-2|SKU-2');
    // The refused create put its id back: the next create takes it.
    expect((await raw()).ids[0]).toBe(String(FIRST_NEW_ID));
    expect(await accepted(create('SKU-NEW'))).toMatchObject({ id: FIRST_NEW_ID });

    expect(await accepted(update(1, 'SKU-1'))).toMatchObject({ id: 1, version: 2 });
    expect((await raw()).uniq['SKU-1']).toBe('1');
  });

  it('a rename or a delete frees the old SKU for other rows', async () => {
    await accepted(update(1, 'SKU-1b'));
    await accepted(remove(2));

    const { rows, uniq, pend } = await raw();
    expect(uniq).toEqual({ 'SKU-1b': '1' });
    expect(rows['1']).toBe('2|created-1|SKU-1b');
    expect(rows['2']).toBe('-4|created-2|');
    expect(pend['2']).toBe('4|delete|created-2|');
    expect(await accepted(create('SKU-1'))).toMatchObject({ id: FIRST_NEW_ID });
    expect(await accepted(create('SKU-2'))).toMatchObject({ id: FIRST_NEW_ID + 1 });
  });

  it('a second write of a row whose job still waits coalesces into that job: same job id, the newest version pending', async () => {
    const first = await accepted(update(1, 'SKU-1', 1, 'first'));
    const second = await accepted(update(1, 'SKU-1', 2, 'second'));

    expect(first).toMatchObject({ path: 'enqueue', jobId: 'w1', version: 2 });
    expect(second).toMatchObject({ path: 'coalesced', jobId: 'w1', version: 3 });
    const { pend, job } = await raw();
    expect(pend['1']).toBe('3|upsert|created-1|{"sku":"SKU-1","name":"second"}');
    expect(job).toEqual({ '1': 'w1' });
  });
});

describe('RESERVE of a group: the writes one group commit carries, checked in order in one call', () => {
  const group = (...writes: Array<[WriteRequest, string]>) => state.reserveMany(writes.map(([request, body]) => ({ request, body })));

  it('mixes accepted, stale, duplicate and missing writes: each gets its own answer, only the accepted ones are recorded', async () => {
    const before = await raw();
    const reservations = await group(
      update(1, 'SKU-1', 1, 'accepted'),
      update(2, 'SKU-2', 2), // stale: row 2 is at version 3
      create('SKU-2'), // duplicate of row 2
      create('SKU-NEW'),
      remove(999), // missing
    );

    expect(reservations).toEqual([
      expect.objectContaining({ kind: 'accepted', id: 1, version: 2, path: 'enqueue', jobId: 'w1' }),
      { kind: 'stale', currentVersion: 3 },
      { kind: 'duplicate', ownerId: 2 },
      // The refused create gave its id back: the next create of the group took it.
      expect.objectContaining({ kind: 'accepted', id: FIRST_NEW_ID, version: 1, path: 'enqueue', jobId: 'w1' }),
      { kind: 'missing' },
    ]);
    const after = await raw();
    expect(after.rows).toEqual({ ...before.rows, '1': '2|created-1|SKU-1', [FIRST_NEW_ID]: '1|created-new|SKU-NEW' });
    expect(Object.keys(after.pend).sort()).toEqual(['1', String(FIRST_NEW_ID)]);
    // One job for the group's two rows.
    expect(after.job).toEqual({ '1': 'w1', [FIRST_NEW_ID]: 'w1' });
  });

  it('a later write of the same row in the group sees the earlier one: it checks against its version and joins its job', async () => {
    const reservations = await group(update(1, 'SKU-1', 1, 'first'), update(1, 'SKU-1', 1, 'stale now'), update(1, 'SKU-1', 2, 'second'));

    expect(reservations).toEqual([
      expect.objectContaining({ kind: 'accepted', version: 2, path: 'enqueue', jobId: 'w1' }),
      { kind: 'stale', currentVersion: 2 },
      expect.objectContaining({ kind: 'accepted', version: 3, path: 'coalesced', jobId: 'w1' }),
    ]);
    expect((await raw()).pend['1']).toBe('3|upsert|created-1|{"sku":"SKU-1","name":"second"}');
  });

  it('an atomic group is all or nothing: one refused write undoes the others in the same call, a join of a waiting job included', async () => {
    await accepted(update(2, 'SKU-2', 3, 'waiting')); // row 2 now has a waiting job: the group's write of it joins that job
    const before = await raw();
    const reservations = await state.reserveMany(
      [update(1, 'SKU-1', 1), update(2, 'SKU-2'), create('SKU-NEW'), update(1, 'SKU-1', 1)].map(([request, body]) => ({ request, body })),
      { atomic: true },
    );

    expect(reservations).toEqual([{ kind: 'aborted' }, { kind: 'aborted' }, { kind: 'aborted' }, { kind: 'stale', currentVersion: 2 }]);
    const after = await raw();
    expect({ rows: after.rows, uniq: after.uniq, pend: after.pend, job: after.job }).toEqual({
      rows: before.rows,
      uniq: before.uniq,
      pend: before.pend,
      job: before.job,
    });
  });

  it('ROLLBACK of a group undoes its writes the last first: a row written twice in the group is back where it was', async () => {
    const before = await raw();
    const reservations = await group(update(1, 'SKU-1b', 1, 'renamed'), update(1, 'SKU-1c', 2, 'renamed again'), create('SKU-1'));
    const accepted = reservations.filter((r): r is Extract<Reservation, { kind: 'accepted' }> => r.kind === 'accepted');
    expect(accepted).toHaveLength(3);

    expect(await state.rollbackMany(accepted)).toBe(3);
    const after = await raw();
    expect({ rows: after.rows, uniq: after.uniq, pend: after.pend, job: after.job }).toEqual({ rows: before.rows, uniq: before.uniq, pend: {}, job: {} });
  });
});

describe('ROLLBACK: a job that could not be added', () => {
  it('undoes a create: no row, no SKU, no pending state, no job', async () => {
    const reservation = await accepted(create('SKU-NEW'));

    expect(await state.rollback(reservation)).toBe(true);
    const { rows, uniq, pend, job } = await raw();
    expect(rows[FIRST_NEW_ID]).toBeUndefined();
    expect(uniq).toEqual({ 'SKU-1': '1', 'SKU-2': '2' });
    expect(pend).toEqual({});
    expect(job).toEqual({});
  });

  it('undoes a rename: the row, its old SKU and the pending state being flushed are back as before the write', async () => {
    // Version 2 is being flushed (claimed: no waiting job) when the rename to SKU-X fails to queue.
    const flushing = await accepted(update(1, 'SKU-1', 1, 'flushing'));
    await state.claim([{ id: 1, jobId: flushing.jobId }]);
    const before = await raw();
    const rename = await accepted(update(1, 'SKU-X', 2, 'renamed'));
    expect(rename).toMatchObject({ path: 'enqueue', jobId: 'w2' });

    expect(await state.rollback(rename)).toBe(true);
    expect(await raw()).toEqual(before);
    expect(before.pend['1']).toBe('2|upsert|created-1|{"sku":"SKU-1","name":"flushing"}');
    expect(before.uniq['SKU-1']).toBe('1');
  });

  it('undoes a delete: the row is live again with its SKU', async () => {
    const reservation = await accepted(remove(2));

    expect(await state.rollback(reservation)).toBe(true);
    const { rows, uniq, pend } = await raw();
    expect(rows['2']).toBe('3|created-2|SKU-2');
    expect(uniq['SKU-2']).toBe('2');
    expect(pend).toEqual({});
  });

  it('does nothing once a later write of the row came (it joined the job whose add failed)', async () => {
    const failed = await accepted(update(1, 'SKU-1', 1, 'failed to queue'));
    await accepted(update(1, 'SKU-1', 2, 'later'));
    const before = await raw();

    expect(await state.rollback(failed)).toBe(false);
    expect(await raw()).toEqual(before);
    expect(before.rows['1']).toBe('3|created-1|SKU-1');
  });
});

describe('CLAIM and SETTLE: flushing a row', () => {
  it('a write arriving while its row is being flushed adds a new job; settling the flushed version keeps the newer pending state', async () => {
    const first = await accepted(update(1, 'SKU-1', undefined, 'v2'));
    const [claimed] = await state.claim([{ id: 1, jobId: first.jobId }]);
    expect(claimed).toMatchObject({ kind: 'upsert', id: 1, version: 2, meta: 'created-1', state: { sku: 'SKU-1', name: 'v2' } });
    expect((await raw()).job).toEqual({});

    const during = await accepted(update(1, 'SKU-1', undefined, 'v3'));
    expect(during).toMatchObject({ path: 'enqueue', jobId: 'w2', version: 3 });

    await state.settle([{ id: 1, version: 2 }]);
    expect((await raw()).pend['1']).toBe('3|upsert|created-1|{"sku":"SKU-1","name":"v3"}');
    await state.settle([{ id: 1, version: 3 }]);
    expect((await raw()).pend).toEqual({});
  });

  it("claiming an older job of a row (a retry) leaves the row's newer waiting job in place, and returns the newest pending state", async () => {
    const old = await accepted(update(1, 'SKU-1', undefined, 'v2'));
    await state.claim([{ id: 1, jobId: old.jobId }]);
    const waiting = await accepted(update(1, 'SKU-1', undefined, 'v3'));

    const [claimed, none] = await state.claim([
      { id: 1, jobId: old.jobId },
      { id: 2, jobId: '2-4' },
    ]);

    expect(claimed).toMatchObject({ version: 3, state: { name: 'v3' } });
    expect(none).toBeUndefined();
    expect((await raw()).job).toEqual({ '1': waiting.jobId });
    expect(await accepted(update(1, 'SKU-1', undefined, 'v4'))).toMatchObject({ path: 'coalesced', jobId: waiting.jobId });
  });
});

describe('CORRECT: after a dead letter', () => {
  it("sets the row's state to what PostgreSQL holds and drops the pending state: a create PostgreSQL refused disappears, its SKU is free", async () => {
    const created = await accepted(create('SKU-NEW'));
    await state.claim([{ id: created.id, jobId: created.jobId }]);

    expect(await state.correct(created.id, 1, undefined)).toBe(true);
    const { rows, uniq, pend } = await raw();
    expect(rows[created.id]).toBeUndefined();
    expect(uniq['SKU-NEW']).toBeUndefined();
    expect(pend).toEqual({});
    expect(await accepted(create('SKU-NEW'))).toMatchObject({ version: 1 });
  });

  it('a refused rename: the row is back at the version and SKU PostgreSQL holds', async () => {
    const renamed = await accepted(update(1, 'SKU-X'));
    await state.claim([{ id: 1, jobId: renamed.jobId }]);

    expect(await state.correct(1, 2, ROWS[0])).toBe(true);
    const { rows, uniq, pend } = await raw();
    expect(rows['1']).toBe('1|created-1|SKU-1');
    expect(uniq).toEqual({ 'SKU-1': '1', 'SKU-2': '2' });
    expect(pend).toEqual({});
    expect(await state.reserve(...update(1, 'SKU-1', 2))).toEqual({ kind: 'stale', currentVersion: 1 });
    // The next write takes version 2 again, but never the job name of the failed one, which BullMQ
    // still keeps as a dead letter (an add under that name would be ignored as a duplicate).
    expect(await accepted(update(1, 'SKU-1', 1))).toMatchObject({ version: 2, path: 'enqueue', jobId: 'w2' });
    expect(renamed).toMatchObject({ version: 2, jobId: 'w1' });
  });

  it('does nothing when a newer write of the row came after the failed one', async () => {
    const failed = await accepted(update(1, 'SKU-X', undefined, 'v2'));
    await state.claim([{ id: 1, jobId: failed.jobId }]);
    await accepted(update(1, 'SKU-Y', undefined, 'v3'));
    const before = await raw();

    expect(await state.correct(1, 2, ROWS[0])).toBe(false);
    expect(await raw()).toEqual(before);
    expect(before.rows['1']).toBe('3|created-1|SKU-Y');
  });
});

describe('REFRESH: after writes made straight to PostgreSQL (sync mode)', () => {
  it("takes PostgreSQL's newer state: version, moved SKU, and a row Redis did not know", async () => {
    expect(await state.refresh({ id: 2, version: 5, deleted: false, unique: 'SKU-2b', meta: 'created-2' })).toBe(true);
    expect(await state.refresh({ id: 50, version: 1, deleted: false, unique: 'SKU-50', meta: 'created-50' })).toBe(true);

    const { rows, uniq } = await raw();
    expect(rows['2']).toBe('5|created-2|SKU-2b');
    expect(rows['50']).toBe('1|created-50|SKU-50');
    expect(uniq).toEqual({ 'SKU-1': '1', 'SKU-2b': '2', 'SKU-50': '50' });
    expect(await accepted(update(2, 'SKU-2b', 5))).toMatchObject({ version: 6 });
    expect(await state.reserve(...create('SKU-50'))).toEqual({ kind: 'duplicate', ownerId: 50 });
  });

  it('never moves a row back: a state at the same or an older version than Redis holds is ignored', async () => {
    const before = await raw();

    expect(await state.refresh({ id: 2, version: 3, deleted: false, unique: 'SKU-OTHER', meta: 'created-2' })).toBe(false);
    expect(await state.refresh({ id: 2, version: 2, deleted: false, unique: 'SKU-OLD', meta: 'created-2' })).toBe(false);
    expect(await state.refresh({ id: 3, version: 1, deleted: false, unique: 'SKU-3', meta: 'created-3' })).toBe(false);
    expect(await raw()).toEqual(before);
  });
});

describe('RESTORE: replaying a dead letter', () => {
  const upsertOp = (id: number, version: number, sku: string) => ({
    kind: 'upsert' as const,
    id,
    version,
    meta: 'created-new',
    state: { sku, name: 'replayed' },
  });

  it('puts the op back as the row state and pending state of a corrected row', async () => {
    const created = await accepted(create('SKU-NEW'));
    await state.claim([{ id: created.id, jobId: created.jobId }]);
    await state.correct(created.id, 1, undefined);

    expect(await state.restore(upsertOp(created.id, 1, 'SKU-NEW'), 'SKU-NEW', '{"sku":"SKU-NEW","name":"replayed"}')).toBe('OK');
    const { rows, uniq, pend } = await raw();
    expect(rows[created.id]).toBe('1|created-new|SKU-NEW');
    expect(uniq['SKU-NEW']).toBe(String(created.id));
    expect(pend[created.id]).toBe('1|upsert|created-new|{"sku":"SKU-NEW","name":"replayed"}');
  });

  it('restores a delete: the row is deleted again and its SKU freed', async () => {
    expect(await state.restore({ kind: 'delete', id: 1, version: 2 }, '', '')).toBe('OK');

    const { rows, uniq, pend } = await raw();
    expect(rows['1']).toBe('-2||');
    expect(uniq['SKU-1']).toBeUndefined();
    expect(pend['1']).toBe('2|delete||');
  });

  it('after Redis lost its state and reloaded it from PostgreSQL: NEWER when PostgreSQL holds that version or a later one (e.g. a sync write)', async () => {
    // A fresh dataset, loaded again: row 2 is at version 3 in PostgreSQL.
    freshPrefix();
    state = await loadedState();
    expect(await state.refresh({ id: 1, version: 4, deleted: false, unique: 'SKU-1', meta: 'created-1' })).toBe(true);
    const before = await raw();

    expect(await state.restore(upsertOp(2, 3, 'SKU-2'), 'SKU-2', '{}')).toBe('NEWER');
    expect(await state.restore(upsertOp(2, 2, 'SKU-2'), 'SKU-2', '{}')).toBe('NEWER');
    expect(await state.restore(upsertOp(1, 3, 'SKU-1'), 'SKU-1', '{}')).toBe('NEWER');
    expect(await state.restore({ kind: 'delete', id: 3, version: 2 }, '', '')).toBe('NEWER');
    expect(await raw()).toEqual(before);

    expect(await state.restore(upsertOp(2, 4, 'SKU-2'), 'SKU-2', '{}')).toBe('OK');
    expect((await raw()).rows['2']).toBe('4|created-new|SKU-2');
  });

  it("is DUPLICATE when another row now holds the op's SKU, and changes nothing", async () => {
    const before = await raw();

    expect(await state.restore(upsertOp(2, 4, 'SKU-1'), 'SKU-1', '{}')).toBe('DUPLICATE');
    expect(await raw()).toEqual(before);
    expect(await state.restore(upsertOp(1, 2, 'SKU-1'), 'SKU-1', '{}')).toBe('OK');
  });
});
