import type { WriteRequest } from './write-behind.types';
import { decodePending, decodeRow, encodeRow, encodeWrite } from './write-state.format';

const state = { sku: 'SKU-1', name: 'Teapot', priceMinor: 100 };
const create = (overrides: Partial<{ unique: unknown; meta: unknown; state: unknown }> = {}) =>
  ({ kind: 'create', unique: 'SKU-1', meta: '2026-01-01T00:00:00.000Z', state, ...overrides }) as WriteRequest;
const update = (overrides: Partial<{ id: unknown; expectedVersion: unknown; unique: unknown; state: unknown }> = {}) =>
  ({ kind: 'update', id: 7, expectedVersion: 3, unique: 'SKU-1', state, ...overrides }) as WriteRequest;
const remove = (overrides: Partial<{ id: unknown; expectedVersion: unknown }> = {}) => ({ kind: 'delete', id: 7, ...overrides }) as WriteRequest;

/** The fields `encodeWrite` refused. */
function refused(request: WriteRequest): string[] {
  const encoded = encodeWrite(request);
  return 'problems' in encoded ? encoded.problems.map((p) => p.field) : [];
}

describe('encodeWrite: what the write state can carry', () => {
  it('gives the JSON body of a create or update, and an empty one for a delete', () => {
    expect(encodeWrite(create())).toEqual({ body: JSON.stringify(state) });
    expect(encodeWrite(update({ expectedVersion: undefined }))).toEqual({ body: JSON.stringify(state) });
    expect(encodeWrite(remove())).toEqual({ body: '' });
  });

  it('carries newlines, control characters and the separator where the format allows them', () => {
    expect(refused(create({ unique: 'a|b\nc\u0000' }))).toEqual([]);
    expect(refused(create({ meta: 'line\nbreak' }))).toEqual([]);
    expect(refused(create({ state: { name: 'a|b', text: 'x\ny\u0000' } }))).toEqual([]);
    expect(refused(create({ unique: '', meta: '' }))).toEqual([]);
  });

  it.each<[string, WriteRequest, string[]]>([
    ['the separator in meta', create({ meta: 'a|b' }), ['meta']],
    ['a lone surrogate in unique', create({ unique: 'SKU-\ud800' }), ['unique']],
    ['a lone surrogate in meta', create({ meta: '\udc00' }), ['meta']],
    ['a unique that is not a string', create({ unique: 42 }), ['unique']],
    ['a meta that is not a string', create({ meta: undefined }), ['meta']],
    ['a fractional id', update({ id: 1.5 }), ['id']],
    ['a NaN id', remove({ id: NaN }), ['id']],
    ['id 0', remove({ id: 0 }), ['id']],
    ['an id beyond 2^53 - 1', update({ id: 2 ** 53 }), ['id']],
    ['an id as a string', update({ id: '7' }), ['id']],
    ['a NaN expected version', update({ expectedVersion: NaN }), ['expectedVersion']],
    ['an infinite expected version', remove({ expectedVersion: Infinity }), ['expectedVersion']],
    ['a negative expected version', remove({ expectedVersion: -1 }), ['expectedVersion']],
    ['NaN in the state', create({ state: { ...state, priceMinor: NaN } }), ['state']],
    ['Infinity nested in the state', update({ state: { dims: [1, -Infinity] } }), ['state']],
    ['a BigInt in the state', create({ state: { priceMinor: 1n } }), ['state']],
    [
      'a cycle in the state',
      create({
        state: (() => {
          const o: Record<string, unknown> = {};
          o.self = o;
          return o;
        })(),
      }),
      ['state'],
    ],
    ['an undefined state', update({ state: undefined }), ['state']],
    ['several at once', update({ id: NaN, expectedVersion: 0.5, unique: 1, state: NaN }), ['id', 'expectedVersion', 'unique', 'state']],
  ])('refuses %s', (_what, request, fields) => {
    expect(refused(request)).toEqual(fields);
  });

  it('says why, naming the key of a non-finite number', () => {
    expect(encodeWrite(create({ state: { priceMinor: NaN }, meta: 'a|b' }))).toEqual({
      problems: [
        { field: 'meta', detail: 'must not contain "|", the separator of the write state' },
        { field: 'state', detail: '"priceMinor" is NaN, which JSON cannot carry' },
      ],
    });
  });
});

describe('encodeRow / decodeRow / decodePending', () => {
  it('round-trips a live row and a tombstone', () => {
    const live = { id: 1, version: 4, deleted: false, unique: 'a|b', meta: 'm' };
    const tombstone = { id: 2, version: 5, deleted: true, unique: '', meta: 'm' };
    expect(encodeRow(live)).toBe('4|m|a|b');
    expect(encodeRow(tombstone)).toBe('-5|m|');
    expect(decodeRow(1, encodeRow(live))).toEqual(live);
    expect(decodeRow(2, encodeRow(tombstone))).toEqual(tombstone);
  });

  it('refuses a row from the store that the format cannot carry, naming the row', () => {
    expect(() => encodeRow({ id: 9, version: 1, deleted: false, unique: 'SKU', meta: 'a|b' })).toThrow(/Row 9 .*meta must not contain "\|"/);
    expect(() => encodeRow({ id: 9, version: 2 ** 53, deleted: false, unique: 'SKU', meta: '' })).toThrow(/Row 9 .*version must be an integer/);
  });

  it('decodes a pending upsert (the body may hold the separator) and a pending delete', () => {
    expect(decodePending(3, '2|upsert|m|{"a":"x|y"}')).toEqual({ kind: 'upsert', id: 3, version: 2, meta: 'm', state: { a: 'x|y' }, body: '{"a":"x|y"}' });
    expect(decodePending(3, '3|delete||')).toEqual({ kind: 'delete', id: 3, version: 3, body: '' });
  });
});
