import { withFormat } from './write-state.format';

/**
 * The Lua scripts of {@link WriteState}. Those that read or write a row or a
 * pending op start with the format prelude (`encode_row`, `decode_row`,
 * `encode_pending`, `pending_version`, `int`: see write-state.format.ts).
 * Keys (in this order):
 * 1 rows (id → "version|meta|unique", version negative once deleted),
 * 2 uniq (unique value → id), 3 pend (id → "version|kind|meta|body", the
 * latest state not yet in PostgreSQL), 4 job (id → the id of its waiting,
 * unclaimed job), 5 ids (reserved new ids), 6 loaded (marker: rows and uniq
 * hold every row), 7 jobseq (the counter that names jobs).
 */

/** Undoes one accepted reserve (RESERVE's atomic groups and ROLLBACK): see ROLLBACK. Returns 1 when undone. */
const ROLLBACK_FN = `
local function rollback(id, version, jobId, prevRow, prevPend, unique)
  local row = redis.call('HGET', KEYS[1], id)
  if not row then return 0 end
  local v = decode_row(row)
  if math.abs(v) ~= tonumber(version) then return 0 end
  if unique ~= '' and redis.call('HGET', KEYS[2], unique) == id then redis.call('HDEL', KEYS[2], unique) end
  if prevRow == '' then
    redis.call('HDEL', KEYS[1], id)
  else
    redis.call('HSET', KEYS[1], id, prevRow)
    local pv, _, pu = decode_row(prevRow)
    if pv > 0 and pu ~= '' then redis.call('HSET', KEYS[2], pu, id) end
  end
  if prevPend == '' then redis.call('HDEL', KEYS[3], id) else redis.call('HSET', KEYS[3], id, prevPend) end
  if jobId ~= '' and redis.call('HGET', KEYS[4], id) == jobId then redis.call('HDEL', KEYS[4], id) end
  return 1
end
`;

/**
 * Checks a group of writes and records each atomically, in order: version
 * precondition, unique value, new version, pending state, and whether a job
 * must be added (no waiting job for this id) or the write coalesces into the
 * waiting one (a write later in the group joins the job of an earlier one of
 * the same id). The writes that need a job share one, named `w<n>` by the jobseq
 * counter: never a name used before, so a new job is never taken for an old one
 * that BullMQ still keeps (a dead letter of the same row and version, after the
 * row's state went back to what PostgreSQL holds). One reply per write. An atomic group is all or nothing: when any
 * write is refused, the accepted ones are undone, the last first, in the same
 * call (no worker can have claimed them), and answer ABORTED.
 * ARGV: '1' for an atomic group, else '0'; then six per write: kind
 * (create|update|delete), id, expected version or '', unique, meta, body.
 */
export const RESERVE = withFormat(`
${ROLLBACK_FN}
local groupJob = nil
local function reserve(kind, id, expected, unique, meta, body)
  local current, oldUnique, prevRow = 0, '', ''
  if kind == 'create' then
    id = redis.call('LPOP', KEYS[5])
    if not id then return {'NO_IDS'} end
  else
    prevRow = redis.call('HGET', KEYS[1], id)
    if not prevRow then return {'MISSING'} end
    local v, m, u = decode_row(prevRow)
    current = v
    if current < 0 then return {'MISSING'} end
    if expected ~= '' and tonumber(expected) ~= current then return {'STALE', int(current)} end
    meta, oldUnique = m, u
  end
  if kind ~= 'delete' and unique ~= '' then
    local owner = redis.call('HGET', KEYS[2], unique)
    if owner and owner ~= id then
      if kind == 'create' then redis.call('LPUSH', KEYS[5], id) end
      return {'DUPLICATE', owner}
    end
  end
  local version = current + 1
  if oldUnique ~= '' and (kind == 'delete' or oldUnique ~= unique) and redis.call('HGET', KEYS[2], oldUnique) == id then
    redis.call('HDEL', KEYS[2], oldUnique)
  end
  local op = 'upsert'
  if kind == 'delete' then
    op = 'delete'
    redis.call('HSET', KEYS[1], id, encode_row(version, true, meta, ''))
  else
    if unique ~= '' then redis.call('HSET', KEYS[2], unique, id) end
    redis.call('HSET', KEYS[1], id, encode_row(version, false, meta, unique))
  end
  local prevPend = redis.call('HGET', KEYS[3], id) or ''
  redis.call('HSET', KEYS[3], id, encode_pending(version, op, meta, body))
  local waiting = redis.call('HGET', KEYS[4], id)
  if waiting then return {'COALESCED', id, int(version), meta, waiting, prevRow, prevPend, tostring(redis.call('LLEN', KEYS[5]))} end
  groupJob = groupJob or ('w' .. int(redis.call('INCR', KEYS[7])))
  redis.call('HSET', KEYS[4], id, groupJob)
  return {'ENQUEUE', id, int(version), meta, groupJob, prevRow, prevPend, tostring(redis.call('LLEN', KEYS[5]))}
end
local loaded = redis.call('EXISTS', KEYS[6]) == 1
local out, refused = {}, false
for i = 2, #ARGV, 6 do
  local reply = {'NOT_LOADED'}
  if loaded then reply = reserve(ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]) end
  if reply[1] ~= 'ENQUEUE' and reply[1] ~= 'COALESCED' then refused = true end
  out[#out + 1] = reply
end
if ARGV[1] == '1' and refused then
  for n = #out, 1, -1 do
    local r = out[n]
    if r[1] == 'ENQUEUE' or r[1] == 'COALESCED' then
      local jobId = ''
      if r[1] == 'ENQUEUE' then jobId = r[5] end
      rollback(r[2], r[3], jobId, r[6], r[7], ARGV[2 + (n - 1) * 6 + 3])
      out[n] = {'ABORTED'}
    end
  end
end
return out
`);

/**
 * Undoes reserves whose jobs could not be added, the last first (a write of a
 * group restores what the earlier write of the same id left), each unless a
 * later write of its id came first. Returns how many were undone.
 * ARGV, six per write, in reservation order: id, version, jobId ('' when the write joined a job
 * instead of adding one: that job stays the row's waiting job), prevRow, prevPend, unique of the write.
 */
export const ROLLBACK = withFormat(`
${ROLLBACK_FN}
local undone = 0
for i = #ARGV - 5, 1, -6 do
  undone = undone + rollback(ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5])
end
return undone
`);

/**
 * A worker takes jobs: each job that is still the waiting one of its id
 * stops being so (a later write adds a new job instead of coalescing into
 * one already being flushed), and the latest pending state of each id is
 * returned ('' when none is pending). KEYS: pend, job. ARGV: id, jobId, …
 */
export const CLAIM = `
local out = {}
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[2], ARGV[i]) end
  out[#out + 1] = redis.call('HGET', KEYS[1], ARGV[i]) or ''
end
return out
`;

/** After a flush: drops each pending state that is still the flushed version. KEYS: pend. ARGV: id, version, … */
export const SETTLE = withFormat(`
local n = 0
for i = 1, #ARGV, 2 do
  local p = redis.call('HGET', KEYS[1], ARGV[i])
  if p and pending_version(p) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
    n = n + 1
  end
end
return n
`);

/**
 * After PostgreSQL refused version ARGV[2] of id ARGV[1]: unless a later write
 * came, the row's state becomes what PostgreSQL holds (ARGV[3], '' = no row)
 * and its pending state is dropped. KEYS: rows, uniq, pend.
 */
export const CORRECT = withFormat(`
local id = ARGV[1]
local row = redis.call('HGET', KEYS[1], id)
if row then
  local v, _, u = decode_row(row)
  if math.abs(v) ~= tonumber(ARGV[2]) then return 0 end
  if u ~= '' and redis.call('HGET', KEYS[2], u) == id then redis.call('HDEL', KEYS[2], u) end
end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], id)
else
  redis.call('HSET', KEYS[1], id, ARGV[3])
  local pv, _, pu = decode_row(ARGV[3])
  if pv > 0 and pu ~= '' then redis.call('HSET', KEYS[2], pu, id) end
end
local p = redis.call('HGET', KEYS[3], id)
if p and pending_version(p) == ARGV[2] then redis.call('HDEL', KEYS[3], id) end
return 1
`);

/**
 * Replay of a dead letter: puts its op back as the row's state and pending
 * state, unless a newer version exists or another row holds its unique value.
 * ARGV: id, version, kind (upsert|delete), meta, unique, body. Returns 'OK',
 * 'NEWER' or 'DUPLICATE'.
 */
export const RESTORE = withFormat(`
local id, version, kind, meta, unique, body = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local row = redis.call('HGET', KEYS[1], id)
local oldUnique = ''
if row then
  local v, _, u = decode_row(row)
  if math.abs(v) >= version then return 'NEWER' end
  oldUnique = u
end
if kind == 'upsert' and unique ~= '' then
  local owner = redis.call('HGET', KEYS[2], unique)
  if owner and owner ~= id then return 'DUPLICATE' end
end
if oldUnique ~= '' and redis.call('HGET', KEYS[2], oldUnique) == id then redis.call('HDEL', KEYS[2], oldUnique) end
if kind == 'delete' then
  redis.call('HSET', KEYS[1], id, encode_row(version, true, meta, ''))
else
  if unique ~= '' then redis.call('HSET', KEYS[2], unique, id) end
  redis.call('HSET', KEYS[1], id, encode_row(version, false, meta, unique))
end
redis.call('HSET', KEYS[3], id, encode_pending(version, kind, meta, body))
return 'OK'
`);

/**
 * After a write that bypassed Redis (`sync` mode): the row's state becomes
 * what PostgreSQL holds (ARGV[3]) when that is newer than what Redis holds.
 * KEYS: rows, uniq. ARGV: id, version, encoded row.
 */
export const REFRESH = withFormat(`
local id = ARGV[1]
local row = redis.call('HGET', KEYS[1], id)
if row then
  local v, _, u = decode_row(row)
  if math.abs(v) >= tonumber(ARGV[2]) then return 0 end
  if u ~= '' and redis.call('HGET', KEYS[2], u) == id then redis.call('HDEL', KEYS[2], u) end
end
redis.call('HSET', KEYS[1], id, ARGV[3])
local pv, _, pu = decode_row(ARGV[3])
if pv > 0 and pu ~= '' then redis.call('HSET', KEYS[2], pu, id) end
return 1
`);
