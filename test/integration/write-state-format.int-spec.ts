import Redis from 'ioredis';
import type { RowState } from '../../src/write-behind/write-behind.types';
import { LUA_FORMAT, decodePending, decodeRow, encodeRow } from '../../src/write-behind/write-state.format';
import { TEST_REDIS_URL } from '../support/services';

/**
 * The two halves of the row formats (write-state.format.ts) agree: what
 * TypeScript encodes the Lua prelude decodes, and the other way round, on the
 * real Redis (its Lua 5.1 and number formatting). Touches no keys.
 */
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
});
afterAll(async () => {
  await redis.quit();
});

/** Runs `body` after the prelude; `body` returns a Lua table of strings. */
function lua(body: string, ...args: Array<string | number>): Promise<string[]> {
  return redis.eval(LUA_FORMAT + body, 0, ...args) as Promise<string[]>;
}

const rows: RowState[] = [
  { id: 1, version: 1, deleted: false, unique: 'SKU-1', meta: '2026-01-01T00:00:00.000Z' },
  { id: 2, version: 7, deleted: true, unique: '', meta: 'created' },
  { id: 3, version: 3, deleted: false, unique: 'has|separators|in it', meta: 'line\nbreak' },
  { id: 4, version: 2, deleted: false, unique: '', meta: '' },
  // Past 1e14 Lua's tostring writes exponents ("1e+14"): the prelude writes digits.
  { id: 5, version: Number.MAX_SAFE_INTEGER, deleted: false, unique: 'SKU-5', meta: 'm' },
];

describe('write-state format: TypeScript and the Lua prelude agree', () => {
  it.each(rows)('a row encoded in TypeScript decodes in Lua (row $id)', async (row) => {
    const [version, meta, unique] = await lua('local v, m, u = decode_row(ARGV[1]) return {int(v), m, u}', encodeRow(row));
    expect({ version: Number(version), meta, unique }).toEqual({ version: row.deleted ? -row.version : row.version, meta: row.meta, unique: row.unique });
  });

  it.each(rows)('a row encoded in Lua decodes in TypeScript, and is what TypeScript encodes (row $id)', async (row) => {
    const [encoded] = await lua(
      'return {encode_row(tonumber(ARGV[1]), ARGV[2] == "1", ARGV[3], ARGV[4])}',
      row.version,
      row.deleted ? '1' : '0',
      row.meta,
      row.unique,
    );
    expect(encoded).toBe(encodeRow(row));
    expect(decodeRow(row.id, encoded)).toEqual(row);
  });

  it('a pending op encoded in Lua decodes in TypeScript; pending_version reads its version back', async () => {
    const body = JSON.stringify({ name: 'a|b', text: 'x\ny' });
    const [upsert, upsertVersion] = await lua(
      "local p = encode_pending(tonumber(ARGV[1]), 'upsert', ARGV[2], ARGV[3]) return {p, pending_version(p)}",
      1e14,
      'meta',
      body,
    );
    expect(decodePending(9, upsert)).toEqual({ kind: 'upsert', id: 9, version: 1e14, meta: 'meta', state: JSON.parse(body), body });
    expect(upsertVersion).toBe(String(1e14));

    const [deletion] = await lua("return {encode_pending(tonumber(ARGV[1]), 'delete', '', '')}", 4);
    expect(decodePending(9, deletion)).toEqual({ kind: 'delete', id: 9, version: 4, body: '' });
  });
});
