import type { RowState, WriteOp } from './write-behind.types';

/**
 * The two per-row formats of {@link WriteState}, in one place for both sides:
 * the TypeScript encoder/decoder below and the Lua prelude ({@link LUA_FORMAT})
 * that every script starts with. Change a field here, in both halves, and the
 * format test (test/integration/write-state-format.int-spec.ts) checks that
 * each side reads what the other writes.
 *
 * - a row, `rows` hash: `version|meta|unique`, the version negative once
 *   deleted (a tombstone keeps no unique value);
 * - a pending op, `pend` hash: `version|kind|meta|body` (`kind` upsert|delete,
 *   `body` the JSON state, '' for a delete).
 *
 * Fields are split at the separator from the left, so only the last field of
 * each format (`unique`, `body`) may contain it.
 */
export const SEPARATOR = '|';

/** Field order of a row's state. */
export const ROW_FIELDS = ['version', 'meta', 'unique'] as const;

/** Field order of a pending op. */
export const PENDING_FIELDS = ['version', 'kind', 'meta', 'body'] as const;

const S = SEPARATOR;
// In a Lua pattern `%` before a punctuation character makes it literal.
const P = `%${SEPARATOR}`;

/**
 * Prepended to every script of write-state.scripts.ts: the Lua half of the
 * format. Integers are written with `%d`: Lua's `tostring` switches to
 * exponent notation from 1e14 on, which the decoders would not read back.
 */
export const LUA_FORMAT = `
local function int(n) return string.format('%d', n) end
-- ${ROW_FIELDS.join(S)}: version negative once deleted, a tombstone keeps no unique value.
local function encode_row(version, deleted, meta, unique)
  if deleted then return '-' .. int(version) .. '${S}' .. meta .. '${S}' end
  return int(version) .. '${S}' .. meta .. '${S}' .. unique
end
-- Returns the signed version (a number), meta and unique of a row.
local function decode_row(raw)
  local v, m, u = string.match(raw, '^(-?%d+)${P}([^${P}]*)${P}(.*)$')
  return tonumber(v), m, u
end
-- ${PENDING_FIELDS.join(S)}
local function encode_pending(version, kind, meta, body)
  return int(version) .. '${S}' .. kind .. '${S}' .. meta .. '${S}' .. body
end
-- The version of a pending op, as the decimal string TypeScript sends (ARGV).
local function pending_version(raw) return string.match(raw, '^(%d+)${P}') end
`;

/** A script with the format prelude in front of it. */
export function withFormat(script: string): string {
  return LUA_FORMAT + script;
}

/** A pending op as stored in Redis. */
export type PendingOp = WriteOp & { readonly body: string };

/** `version|meta|unique`, the version negative for a deleted row. */
export function encodeRow(row: RowState): string {
  return `${row.deleted ? -row.version : row.version}${S}${row.meta}${S}${row.deleted ? '' : row.unique}`;
}

/** Parses `version|meta|unique` (the `id` is the hash field, not part of the value). */
export function decodeRow(id: number, raw: string): RowState {
  const first = raw.indexOf(S);
  const second = raw.indexOf(S, first + 1);
  const version = Number(raw.slice(0, first));
  return { id, version: Math.abs(version), deleted: version < 0, meta: raw.slice(first + 1, second), unique: raw.slice(second + 1) };
}

/** Parses `version|kind|meta|body`. */
export function decodePending(id: number, raw: string): PendingOp {
  const first = raw.indexOf(S);
  const second = raw.indexOf(S, first + 1);
  const third = raw.indexOf(S, second + 1);
  const version = Number(raw.slice(0, first));
  const kind = raw.slice(first + 1, second);
  const meta = raw.slice(second + 1, third);
  const body = raw.slice(third + 1);
  return kind === 'delete' ? { kind: 'delete', id, version, body } : { kind: 'upsert', id, version, meta, state: JSON.parse(body) as unknown, body };
}
