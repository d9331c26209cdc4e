import type { RowState, WriteOp, WriteRequest } from './write-behind.types';

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

/** `version|meta|unique`, the version negative for a deleted row. Throws for a row the format cannot carry (a store bug). */
export function encodeRow(row: RowState): string {
  const problems = [...positiveIntegerProblems('version', row.version), ...textProblems('meta', row.meta, false), ...textProblems('unique', row.unique, true)];
  if (problems.length > 0) {
    throw new Error(
      `Row ${row.id} cannot be kept in the write state: ${problems.map((p) => `${p.field} ${p.detail}`).join('; ')}. Fix what the store's loadStates/currentState return.`,
    );
  }
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

/** One field of a write that the formats cannot carry, and why. */
export interface FormatProblem {
  /** The field of the {@link WriteRequest}, e.g. `meta`, `state`. */
  readonly field: string;
  readonly detail: string;
}

// Half of a UTF-16 pair on its own: Redis gets UTF-8, where it becomes U+FFFD, so two such values would collide.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A write as the formats carry it: its body (the state as JSON, '' for a
 * delete), or every field they cannot carry. Checked before any Redis call:
 * - ids and versions must be positive safe integers: Lua numbers are
 *   doubles, and `String()` of 1.5, NaN or 1e21 names another row or none;
 * - `meta` must not contain the separator (it is not the last field);
 * - `unique` and `meta` must be strings of well-formed Unicode;
 * - the state must serialize to JSON with finite numbers only: JSON has no
 *   NaN or Infinity (JSON.stringify would store null), nor BigInt or cycles.
 * Newlines, control characters and the separator in `unique` or the body
 * are carried as they are; the formats have no length limit of their own.
 */
export function encodeWrite(request: WriteRequest): { readonly body: string } | { readonly problems: readonly FormatProblem[] } {
  const problems: FormatProblem[] = [];
  if (request.kind !== 'create') problems.push(...positiveIntegerProblems('id', request.id));
  if (request.kind !== 'create' && request.expectedVersion !== undefined) problems.push(...positiveIntegerProblems('expectedVersion', request.expectedVersion));
  if (request.kind !== 'delete') problems.push(...textProblems('unique', request.unique, true));
  if (request.kind === 'create') problems.push(...textProblems('meta', request.meta, false));
  const body = request.kind === 'delete' ? '' : stateBody(request.state, problems);
  return problems.length > 0 ? { problems } : { body };
}

function positiveIntegerProblems(field: string, value: unknown): FormatProblem[] {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
    ? []
    : [{ field, detail: `must be an integer from 1 to ${Number.MAX_SAFE_INTEGER} (got ${String(value)})` }];
}

function textProblems(field: string, value: unknown, last: boolean): FormatProblem[] {
  if (typeof value !== 'string') return [{ field, detail: `must be a string (got ${typeof value})` }];
  if (LONE_SURROGATE.test(value)) return [{ field, detail: 'must be well-formed Unicode (a lone surrogate)' }];
  if (!last && value.includes(S)) return [{ field, detail: `must not contain "${S}", the separator of the write state` }];
  return [];
}

/** JSON of `state`, noting in `problems` what JSON cannot carry. One pass: the replacer only looks. */
function stateBody(state: unknown, problems: FormatProblem[]): string {
  const before = problems.length;
  let body: string | undefined;
  try {
    body = JSON.stringify(state, (key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value))
        problems.push({ field: 'state', detail: `${key === '' ? 'is' : `"${key}" is`} ${value}, which JSON cannot carry` });
      return value;
    });
  } catch (error) {
    problems.push({ field: 'state', detail: `cannot be serialized to JSON (${(error as Error).message})` });
  }
  if (body === undefined && problems.length === before) problems.push({ field: 'state', detail: `must serialize to JSON (got ${typeof state})` });
  return body ?? '';
}
