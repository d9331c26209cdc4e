import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { slotKey, type RedisConnection } from '../redis';
import { decodePending, encodeRow, type PendingOp } from './write-state.format';
import { CLAIM, CORRECT, REFRESH, RESERVE, RESTORE, ROLLBACK, SETTLE } from './write-state.scripts';
import type { RowState, WriteOp, WriteRequest } from './write-behind.types';
import { toReservation, type AcceptedReservation, type Reservation } from './write-state.reservation';

export type { PendingOp } from './write-state.format';
export type { AcceptedReservation, Reservation } from './write-state.reservation';

/** One Lua script, sent by SHA after the first call. */
class Script {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run<T>(redis: RedisConnection, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<T> {
    try {
      return (await redis.evalsha(this.sha, keys.length, ...keys, ...args)) as T;
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return (await redis.eval(this.source, keys.length, ...keys, ...args)) as T;
    }
  }
}

const SCRIPTS = {
  reserve: new Script(RESERVE),
  rollback: new Script(ROLLBACK),
  claim: new Script(CLAIM),
  settle: new Script(SETTLE),
  correct: new Script(CORRECT),
  restore: new Script(RESTORE),
  refresh: new Script(REFRESH),
};

/**
 * The write path's state in Redis for one entity, under
 * `<REDIS_KEY_PREFIX>wb:{<entity>}:` (one slot on a cluster): each row's version, unique value and
 * meta (so that 409s are decided at the edge without PostgreSQL), the latest
 * pending state of each row not yet flushed, the waiting job of each row
 * (for coalescing), and a pool of new ids reserved from PostgreSQL's sequence.
 * Every check-and-write is one Lua script, so concurrent pods cannot interleave.
 */
export class WriteState {
  private readonly logger: Logger;
  private readonly keys: readonly [rows: string, uniq: string, pend: string, job: string, ids: string, loaded: string, jobseq: string];
  /** A key name in the one slot every key of this state shares: what a cluster's replica acknowledgement covers. */
  readonly slotKey: string;
  private loading?: Promise<void>;
  private refilling?: Promise<void>;

  /**
   * `redis`: the queue role's shared client, for everything but the acknowledged write path;
   * `writer`: the connection of {@link reserve} and {@link rollback} (the producer's, which also
   * adds the job, so that one WAIT on it covers the whole write). @default redis
   */
  constructor(
    private readonly redis: RedisConnection,
    keyPrefix: string,
    readonly entity: string,
    private readonly writer: RedisConnection = redis,
  ) {
    // One hash tag per entity: every script takes several of these keys, which a cluster wants in one slot.
    this.slotKey = slotKey(`${keyPrefix}wb:`, entity);
    const base = `${this.slotKey}:`;
    this.keys = [`${base}rows`, `${base}uniq`, `${base}pend`, `${base}job`, `${base}ids`, `${base}loaded`, `${base}jobseq`];
    this.logger = new Logger(`WriteState:${entity}`);
  }

  /** Checks and records `request` (see RESERVE). `body` is the serialized state ('' for a delete). */
  async reserve(request: WriteRequest, body: string): Promise<Reservation> {
    const [reservation] = await this.reserveMany([{ request, body }]);
    return reservation;
  }

  /**
   * Checks and records a group of writes in one script call, in order (see RESERVE): one
   * reservation per write. `atomic`: all or nothing (a refused write aborts the others).
   */
  async reserveMany(writes: ReadonlyArray<{ readonly request: WriteRequest; readonly body: string }>, { atomic = false } = {}): Promise<Reservation[]> {
    const perWrite = writes.flatMap(({ request, body }) =>
      request.kind === 'create'
        ? ['create', '', '', request.unique, request.meta, body]
        : request.kind === 'update'
          ? ['update', String(request.id), request.expectedVersion ?? '', request.unique, '', body]
          : ['delete', String(request.id), request.expectedVersion ?? '', '', '', body],
    );
    const replies = await SCRIPTS.reserve.run<string[][]>(this.writer, this.keys, [atomic ? '1' : '0', ...perWrite]);
    return replies.map((reply, i) => toReservation(reply, writes[i].request));
  }

  /** Undoes an accepted reservation whose job could not be added (best effort: Redis may be gone). */
  async rollback(reservation: AcceptedReservation): Promise<boolean> {
    return (await this.rollbackMany([reservation])) === 1;
  }

  /** Undoes accepted reservations of one group, the last first (see ROLLBACK); returns how many were undone. */
  rollbackMany(reservations: readonly AcceptedReservation[]): Promise<number> {
    if (reservations.length === 0) return Promise.resolve(0);
    const args = reservations.flatMap(({ id, version, jobId, path, undo }) => [
      String(id),
      version,
      path === 'enqueue' ? jobId : '',
      undo.prevRow,
      undo.prevPend,
      undo.unique,
    ]);
    return SCRIPTS.rollback.run<number>(this.writer, this.keys, args);
  }

  /** Takes jobs for flushing (on `client`, @default the shared one); returns the latest pending op of each (undefined when none is pending). */
  async claim(jobs: ReadonlyArray<{ id: number; jobId: string }>, client: RedisConnection = this.redis): Promise<Array<PendingOp | undefined>> {
    const args = jobs.flatMap((job) => [String(job.id), job.jobId]);
    const [, , pend, job] = this.keys;
    const reply = await SCRIPTS.claim.run<string[]>(client, [pend, job], args);
    return reply.map((raw, i) => (raw === '' ? undefined : decodePending(jobs[i].id, raw)));
  }

  /**
   * One small write on `client`: WAIT covers the writes up to its connection's last write, and a
   * claim that changed nothing wrote nothing; after this one, a WAIT on `client` covers every write
   * Redis took before it, whoever sent it (the replication offset is the server's).
   */
  async touch(client: RedisConnection): Promise<void> {
    await client.set(`${this.keys[5]}:touch`, String(Date.now()));
  }

  /** Drops the pending states that PostgreSQL now holds. */
  async settle(ops: ReadonlyArray<{ id: number; version: number }>): Promise<void> {
    if (ops.length === 0) return;
    await SCRIPTS.settle.run<number>(
      this.redis,
      [this.keys[2]],
      ops.flatMap((op) => [String(op.id), op.version]),
    );
  }

  /** Sets the state of `id` to what PostgreSQL holds, unless a write newer than `failedVersion` came. */
  async correct(id: number, failedVersion: number, truth: RowState | undefined): Promise<boolean> {
    const [rows, uniq, pend] = this.keys;
    const done = await SCRIPTS.correct.run<number>(this.redis, [rows, uniq, pend], [String(id), failedVersion, truth ? encodeRow(truth) : '']);
    return done === 1;
  }

  /** Takes what PostgreSQL holds for a row written around Redis (`sync` mode), when it is newer than Redis' state. */
  async refresh(truth: RowState): Promise<boolean> {
    const [rows, uniq] = this.keys;
    return (await SCRIPTS.refresh.run<number>(this.redis, [rows, uniq], [String(truth.id), truth.version, encodeRow(truth)])) === 1;
  }

  /** Puts a dead letter's op back as the row's state and pending op (see RESTORE). */
  async restore(op: WriteOp, unique: string, body: string): Promise<'OK' | 'NEWER' | 'DUPLICATE'> {
    const [rows, uniq, pend] = this.keys;
    const meta = op.kind === 'upsert' ? op.meta : '';
    return SCRIPTS.restore.run(this.redis, [rows, uniq, pend], [String(op.id), op.version, op.kind, meta, unique, body]);
  }

  /** Pending ops of `ids` (the read model of rows PostgreSQL does not have yet). */
  async pending(ids: readonly number[]): Promise<Map<number, PendingOp>> {
    const found = new Map<number, PendingOp>();
    if (ids.length === 0) return found;
    const raw = await this.redis.hmget(this.keys[2], ...ids.map(String));
    raw.forEach((value, i) => {
      if (value) found.set(ids[i], decodePending(ids[i], value));
    });
    return found;
  }

  /** How many rows have a write PostgreSQL does not have yet. */
  pendingCount(): Promise<number> {
    return this.redis.hlen(this.keys[2]);
  }

  /** Ids with a waiting job as recorded here (for the reconciler). */
  async waitingJobs(): Promise<Map<number, string>> {
    const all = await this.redis.hgetall(this.keys[3]);
    return new Map(Object.entries(all).map(([id, jobId]) => [Number(id), jobId]));
  }

  /** Number of reserved ids left. */
  idsLeft(): Promise<number> {
    return this.redis.llen(this.keys[4]);
  }

  /** True once rows and unique values are loaded. */
  async isLoaded(): Promise<boolean> {
    return (await this.redis.exists(this.keys[5])) === 1;
  }

  /**
   * Loads every row's state from `source` once per Redis dataset (a lock keeps
   * pods from loading together; the others wait for the marker), then reserves
   * ids. Runs again by itself when the marker is gone (Redis lost its data).
   */
  ensureLoaded(
    source: { loadStates(afterId: number, limit: number): Promise<RowState[]>; reserveIds(count: number): Promise<number[]> },
    idBlock: number,
  ): Promise<void> {
    this.loading ??= this.load(source, idBlock).finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** Adds `idBlock` ids when fewer than half a block are left (one refill at a time per process). */
  refillIds(source: { reserveIds(count: number): Promise<number[]> }, idBlock: number, idsLeft: number): Promise<void> {
    if (idsLeft >= idBlock / 2) return Promise.resolve();
    this.refilling ??= (async () => {
      const lock = `${this.keys[4]}:lock`;
      if ((await this.redis.set(lock, '1', 'PX', 10_000, 'NX')) !== 'OK') return;
      try {
        if ((await this.idsLeft()) >= idBlock / 2) return;
        const ids = await source.reserveIds(idBlock);
        if (ids.length > 0) await this.redis.rpush(this.keys[4], ...ids.map(String));
      } finally {
        await this.redis.del(lock);
      }
    })().finally(() => (this.refilling = undefined));
    return this.refilling;
  }

  private async load(
    source: { loadStates(afterId: number, limit: number): Promise<RowState[]>; reserveIds(count: number): Promise<number[]> },
    idBlock: number,
  ): Promise<void> {
    const [rows, uniq, , , ids, loaded] = this.keys;
    const lock = `${loaded}:lock`;
    for (;;) {
      if (await this.isLoaded()) return;
      if ((await this.redis.set(lock, '1', 'PX', 60_000, 'NX')) === 'OK') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      if (await this.isLoaded()) return;
      const startedAt = Date.now();
      let afterId = 0;
      let count = 0;
      for (;;) {
        const page = await source.loadStates(afterId, 5000);
        if (page.length === 0) break;
        const pipeline = this.redis.pipeline();
        // HSETNX: a write accepted while loading (none should be: writes wait for the marker) is never overwritten.
        for (const row of page) {
          pipeline.hsetnx(rows, String(row.id), encodeRow(row));
          if (!row.deleted && row.unique !== '') pipeline.hsetnx(uniq, row.unique, String(row.id));
        }
        await pipeline.exec();
        count += page.length;
        afterId = page[page.length - 1].id;
      }
      if ((await this.redis.llen(ids)) < idBlock / 2) {
        const reserved = await source.reserveIds(idBlock);
        if (reserved.length > 0) await this.redis.rpush(ids, ...reserved.map(String));
      }
      await this.redis.set(loaded, String(Date.now()));
      this.logger.log(`loaded the state of ${count} rows in ${Date.now() - startedAt} ms`);
    } finally {
      await this.redis.del(lock);
    }
  }
}
