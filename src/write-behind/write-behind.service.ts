import { Logger } from '@nestjs/common';
import DataLoader from 'dataloader';
import { withTimeout } from '../lifecycle';
import type { FeatureQueue } from './feature-queue';
import { UnconfirmedWriteError, UnwritableValueError, WriteQueueUnavailableError } from './write-behind.errors';
import type { BulkWriteOutcome, WriteJobData, WriteJobRow, WriteOutcome, WriteRequest } from './write-behind.types';
import type { AcceptedReservation, PendingOp, Reservation } from './write-state';
import { encodeWrite } from './write-state.format';
import { RedisDownFallback } from './redis-down.fallback';

/** How long the producer waits for Redis to record a write (RESERVE), and then to take its job, before answering 503. */
const ADD_TIMEOUT_MS = 2_000;

const fulfilled = <T>(value: T): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value });
const rejected = (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason });

/** One write of a group: the request and its serialized state. */
interface GroupWrite {
  readonly request: WriteRequest;
  readonly body: string;
}

/** What the group commit decided for one write; an `Error` in its place is that write's 503. */
type Committed = { readonly reservation: Reservation } | { readonly redisDown: unknown };

/**
 * The producer side of one feature's write path (`@InjectWriteBehind(entity)`).
 * {@link write} checks the write against Redis (version precondition, unique
 * value), records it and queues it, without waiting on PostgreSQL; workers
 * flush it later. With REDIS_QUEUE_MIN_REPLICAS > 0 a write is answered
 * only once that many replicas confirmed it (WAIT: a failover then keeps
 * it), else 503 (outcome unknown: see `confirmReplicas`). While Redis is unreachable it answers 503
 * (`WRITE_BEHIND_REDIS_DOWN_MODE=reject`) or writes straight to PostgreSQL
 * (`sync`); both fallbacks are logged (rate-limited) and counted.
 */
export class WriteBehind<S = unknown> {
  private readonly fallback: RedisDownFallback;
  /** Gathers the writes of one window into a group (DataLoader as a batcher: no cache, each write its own answer). */
  private readonly groups: DataLoader<GroupWrite, Committed>;

  constructor(private readonly feature: FeatureQueue) {
    this.fallback = new RedisDownFallback(feature, new Logger(`WriteBehind:${feature.entity}`));
    const { groupMaxWrites, groupWindowMs } = feature.config;
    this.groups = new DataLoader((writes) => this.commitGroup(writes), {
      cache: false,
      maxBatchSize: groupMaxWrites,
      // setImmediate runs after the poll phase: every request read in this turn of the loop has reached `write` by then.
      batchScheduleFn: groupWindowMs === 0 ? (callback) => setImmediate(callback) : (callback) => setTimeout(callback, groupWindowMs),
    });
  }

  /** Brings the Redis state of the rows this process wrote in `sync` mode up to what PostgreSQL holds (see {@link RedisDownFallback.repair}). */
  repairWrittenAround(): Promise<number> {
    return this.fallback.repair();
  }

  /** The entity this producer writes. */
  get entity(): string {
    return this.feature.entity;
  }

  /**
   * Accepts `request` (its new id and version decided at once) or says why
   * not (`missing`, `stale`, `duplicate`). Throws {@link UnwritableValueError}
   * (422) for a value the write state cannot carry, before any Redis call, and
   * {@link WriteQueueUnavailableError} (503) when the write could not be
   * recorded; nothing of it is kept then.
   */
  async write(request: WriteRequest<S>): Promise<WriteOutcome> {
    const body = this.encode(request);
    if (!this.feature.producerReady()) return this.redisDown(request, new Error('the queue connection is not ready'));
    const committed = await this.groups.load({ request, body });
    if ('redisDown' in committed) return this.redisDown(request, committed.redisDown);
    const outcome = this.outcomeOf(request, committed.reservation);
    if (outcome.kind === 'aborted') throw new Error('a write outside an atomic group was aborted');
    return outcome;
  }

  /**
   * Several writes at once (a bulk request): each settles as {@link write} would, in the order of
   * `requests`, and they share one group commit. `atomic`: all or nothing. The writes are checked
   * and recorded in one call of their own; when any is refused (409, 404, 422) none is kept and the
   * others settle as `aborted`. While Redis is unreachable an atomic group answers 503 for every
   * write (`sync` mode cannot write it all or nothing). Once the check passed, a failure to queue
   * the jobs is handled as in any group (see {@link commitGroup}).
   */
  async writeMany(requests: ReadonlyArray<WriteRequest<S>>, { atomic = false } = {}): Promise<Array<PromiseSettledResult<BulkWriteOutcome>>> {
    if (!atomic) return Promise.allSettled(requests.map((request) => this.write(request)));
    const encoded: Array<string | Error> = requests.map((request) => {
      try {
        return this.encode(request);
      } catch (error) {
        return error as Error;
      }
    });
    if (encoded.some((body) => body instanceof Error)) {
      return encoded.map((body) => (body instanceof Error ? rejected(body) : fulfilled({ kind: 'aborted' })));
    }
    if (!this.feature.producerReady()) return requests.map(() => rejected(this.refuse('the queue connection is not ready')));
    const writes = requests.map((request, i) => ({ request, body: encoded[i] as string }));
    const committed = await this.commitGroup(writes, { atomic: true });
    return committed.map((result, i) => {
      if (result instanceof Error) return rejected(result);
      if ('redisDown' in result) return rejected(this.refuse(result.redisDown));
      try {
        return fulfilled(this.outcomeOf(requests[i], result.reservation));
      } catch (error) {
        return rejected(error);
      }
    });
  }

  /** The body of `request`'s state, or {@link UnwritableValueError}: before any Redis call, a refused value is the caller's error, not Redis being down. */
  private encode(request: WriteRequest<S>): string {
    const encoded = encodeWrite(request);
    if ('problems' in encoded) throw new UnwritableValueError(this.feature.entity, encoded.problems);
    return encoded.body;
  }

  /** What the reservation of `request` means for its caller; throws the 503s. */
  private outcomeOf(request: WriteRequest<S>, reservation: Reservation): BulkWriteOutcome {
    const { state, store, stats, config } = this.feature;
    switch (reservation.kind) {
      case 'not-loaded':
        void this.load();
        stats.counters.rejected++;
        throw new WriteQueueUnavailableError('The write path is loading its state. Try again shortly.');
      case 'no-ids':
        void state.refillIds(store, config.idBlock, 0).catch((error: unknown) => this.warn('reserving ids failed', error));
        stats.counters.rejected++;
        throw new WriteQueueUnavailableError('No new ids are reserved right now (the database may be down). Try again shortly.');
      case 'missing':
        return { kind: 'missing' };
      case 'stale':
        return { kind: 'stale', currentVersion: reservation.currentVersion };
      case 'duplicate':
        return { kind: 'duplicate', ownerId: reservation.ownerId };
      case 'aborted':
        return { kind: 'aborted' };
      case 'accepted':
        return this.accepted(request, reservation);
      default: {
        const unknown: never = reservation;
        throw new Error(`unknown reservation ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** A 503 for a write that Redis could not take (counted; logged at most every 5 s). */
  private refuse(cause: unknown): WriteQueueUnavailableError {
    this.feature.stats.counters.rejected++;
    this.warn('Redis is unreachable: writes answer 503', cause);
    return new WriteQueueUnavailableError('The write queue is unavailable. Try again shortly.', cause);
  }

  /** Pending (not yet flushed) ops of `ids`: the read model overlays them on what PostgreSQL returns. */
  pending(ids: readonly number[]): Promise<Map<number, PendingOp>> {
    return this.feature.state.pending(ids);
  }

  /** Loads the row states into Redis once (see `WriteState.ensureLoaded`). */
  load(): Promise<void> {
    const { state, store, config } = this.feature;
    return store
      .whenReady()
      .then(() => state.ensureLoaded(store, config.idBlock))
      .catch((error: unknown) => this.warn('loading the write state failed', error));
  }

  /**
   * Group commit: the writes gathered in one window (`WRITE_BEHIND_GROUP_WINDOW_MS`, at most
   * `WRITE_BEHIND_GROUP_MAX_WRITES`) share their Redis work. One RESERVE call checks and records
   * them in order, one add queues one job for all of those that need one, and one WAIT (with
   * REDIS_QUEUE_MIN_REPLICAS > 0) covers the group; each write still gets its own answer, and
   * only once Redis took it. A write refused at the edge (409, 404) is refused alone.
   *
   * When the jobs cannot be added, the writes that needed them are undone (with any later write of
   * the group that joined one of them) and answer 503, as a single write did before groups. A write
   * that joined a job already waiting before this group is kept and answered as usual: its job
   * exists, and undoing it could hand its version to the next write while a worker flushes it.
   */
  private async commitGroup(writes: readonly GroupWrite[], { atomic = false } = {}): Promise<Array<Committed | Error>> {
    const { state, queue, stats } = this.feature;
    // Before the first write on the producer connection: a reconnection from here on voids the replicas' confirmation.
    const mark = this.feature.replicas.mark();
    let reservations: Reservation[];
    try {
      // Bounded: a command caught by a failover waits for the reconnection (through Sentinel, until a replica is promoted).
      reservations = await withTimeout(state.reserveMany(writes, { atomic }), ADD_TIMEOUT_MS, 'recording the writes');
    } catch (error) {
      return writes.map(() => ({ redisDown: error }));
    }
    stats.counters.groups++;
    stats.counters.groupedWrites += writes.length;
    const accepted = reservations.filter((r): r is AcceptedReservation => r.kind === 'accepted');
    const job = this.jobOf(writes, reservations);
    const refused = new Map<AcceptedReservation, Error>();
    if (job) {
      try {
        await withTimeout(queue.add(this.feature.entity, job.data, { jobId: job.jobId }), ADD_TIMEOUT_MS, 'queue add');
      } catch (error) {
        // Undo so that nothing is half-written (the writes of the job, and those that joined it); if Redis
        // is gone the undo fails too, and the reconciler of the workers adds the job once Redis is back.
        const undone = accepted.filter((r) => r.jobId === job.jobId);
        await state.rollbackMany(undone).catch(() => undefined);
        this.warn('queueing writes failed; answered 503', error);
        for (const r of undone) refused.set(r, new WriteQueueUnavailableError('The write queue is unavailable. Try again shortly.', error));
      }
    }
    if (accepted.length > refused.size) {
      const unconfirmed = await this.confirmReplicas(mark);
      if (unconfirmed) for (const r of accepted) if (!refused.has(r)) refused.set(r, unconfirmed);
    }
    return reservations.map((reservation) => {
      const error = reservation.kind === 'accepted' ? refused.get(reservation) : undefined;
      if (error) stats.counters.rejected++;
      if (error instanceof UnconfirmedWriteError) stats.counters.unconfirmed++;
      return error ?? { reservation };
    });
  }

  /**
   * The job to add for a group, if any of its writes needs one: RESERVE names one job for all of
   * them, which carries each row and its version; the state stays in the write state (see
   * {@link WriteJobData}).
   */
  private jobOf(writes: readonly GroupWrite[], reservations: readonly Reservation[]): { jobId: string; data: WriteJobData } | undefined {
    let jobId: string | undefined;
    const rows: WriteJobRow[] = [];
    reservations.forEach((r, i) => {
      if (r.kind !== 'accepted' || r.path !== 'enqueue') return;
      jobId = r.jobId;
      rows.push({ id: r.id, kind: writes[i].request.kind === 'delete' ? 'delete' : 'upsert', version: r.version, meta: r.meta });
    });
    return jobId === undefined ? undefined : { jobId, data: { rows } };
  }

  /** An accepted write, recorded, queued and (if asked) confirmed by the replicas. */
  private accepted(request: WriteRequest<S>, reservation: AcceptedReservation): WriteOutcome {
    const { state, store, stats, config } = this.feature;
    if (reservation.path === 'enqueue') stats.counters.enqueued++;
    else stats.counters.coalesced++;
    if (request.kind === 'create') {
      void state.refillIds(store, config.idBlock, reservation.idsLeft).catch((error: unknown) => this.warn('reserving ids failed', error));
    }
    return {
      kind: 'accepted',
      id: reservation.id,
      version: reservation.version,
      meta: reservation.meta,
      path: reservation.path === 'enqueue' ? 'queued' : 'coalesced',
    };
  }

  /**
   * With REDIS_QUEUE_MIN_REPLICAS > 0: waits until that many replicas hold the group's
   * reservations and jobs (one WAIT on the producer connection, which sent both, covers them).
   * Unconfirmed in time, its writes answer 503: a failover might lose them, so they are not
   * acknowledged. Returns that 503's error, or undefined when confirmed.
   *
   * They are not undone, unlike writes whose jobs could not be added: their jobs are already
   * visible, and a worker may flush them as soon as the replicas catch up (workers wait for them
   * too), so an undo would let a row's next write take the same version, which PostgreSQL's version
   * guard then drops: an acknowledged write lost. The outcome of such a 503 is unknown to the
   * client, as for a timeout: the write lands unless a failover loses it first; a retry that names
   * the version it read may then get 409 with the current version.
   */
  private async confirmReplicas(mark: number): Promise<UnconfirmedWriteError | undefined> {
    try {
      await this.feature.replicas.confirm(mark);
      return undefined;
    } catch (error) {
      this.warn('the queue Redis replicas did not confirm writes; answered 503', error);
      return new UnconfirmedWriteError(error);
    }
  }

  /** Redis did not answer: `sync` writes to PostgreSQL directly, `reject` answers 503. */
  private redisDown(request: WriteRequest<S>, error: unknown): Promise<WriteOutcome> {
    return this.fallback.write(request, error);
  }

  private warn(message: string, error: unknown): void {
    this.fallback.warn(message, error);
  }
}
