import { Logger } from '@nestjs/common';
import { withTimeout } from '../lifecycle';
import type { FeatureQueue } from './feature-queue';
import { UnwritableValueError, WriteQueueUnavailableError } from './write-behind.errors';
import type { WriteOutcome, WriteRequest, WriteJobData } from './write-behind.types';
import type { PendingOp, Reservation } from './write-state';
import { encodeWrite } from './write-state.format';

/** How long the producer waits for Redis to record a write (RESERVE), and then to take its job, before answering 503. */
const ADD_TIMEOUT_MS = 2_000;

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
  private readonly logger: Logger;
  private lastDownLogAt = 0;
  /** Rows written straight to PostgreSQL while Redis was down, whose Redis state is behind until repaired. */
  private readonly writtenAround = new Set<number>();

  constructor(private readonly feature: FeatureQueue) {
    this.logger = new Logger(`WriteBehind:${feature.entity}`);
  }

  /**
   * Brings the Redis state of the rows this process wrote in `sync` mode up to
   * what PostgreSQL holds (their versions, SKUs, new ids), so that later writes
   * through Redis check against them. Called when the queue connection is back;
   * ids that fail stay for the next call. Rows written in sync mode by a process
   * that dies before Redis returns are not repaired (a later write of such a row
   * may then be refused as stale, or lose to it in PostgreSQL): a documented limit.
   */
  async repairWrittenAround(): Promise<number> {
    let repaired = 0;
    for (const id of [...this.writtenAround]) {
      const truth = await this.feature.store.currentState(id);
      if (truth) await this.feature.state.refresh(truth);
      this.writtenAround.delete(id);
      repaired++;
    }
    if (repaired > 0) this.logger.log(`repaired the Redis state of ${repaired} rows written in sync mode`);
    return repaired;
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
    const { state, store, stats, config } = this.feature;
    // Before the try below: a refused value is the caller's error, not Redis being down (no `sync` fallback).
    const encoded = encodeWrite(request);
    if ('problems' in encoded) throw new UnwritableValueError(this.feature.entity, encoded.problems);
    const { body } = encoded;
    let reservation: Reservation;
    // Before the first write on the producer connection: a reconnection from here on voids the replicas' confirmation.
    const mark = this.feature.replicas.mark();
    try {
      if (!this.feature.producerReady()) throw new Error('the queue connection is not ready');
      // Bounded: a command caught by a failover waits for the reconnection (through Sentinel, until a replica is promoted).
      reservation = await withTimeout(state.reserve(request, body), ADD_TIMEOUT_MS, 'recording the write');
    } catch (error) {
      return this.redisDown(request, error);
    }
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
      case 'accepted':
        return this.enqueue(request, reservation, mark);
      default: {
        const unknown: never = reservation;
        throw new Error(`unknown reservation ${JSON.stringify(unknown)}`);
      }
    }
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

  private async enqueue(request: WriteRequest<S>, reservation: Extract<Reservation, { kind: 'accepted' }>, mark: number): Promise<WriteOutcome> {
    const { queue, state, store, stats, config } = this.feature;
    if (reservation.path === 'enqueue') {
      const data: WriteJobData = {
        id: reservation.id,
        kind: request.kind === 'delete' ? 'delete' : 'upsert',
        version: reservation.version,
        meta: reservation.meta,
        state: request.kind === 'delete' ? undefined : request.state,
      };
      try {
        await withTimeout(queue.add(this.feature.entity, data, { jobId: reservation.jobId }), ADD_TIMEOUT_MS, 'queue add');
      } catch (error) {
        // Undo the reservation so that nothing is half-written; if Redis is gone the undo fails too,
        // and the reconciler of the workers adds the job once Redis is back (the write then lands).
        await state.rollback(reservation).catch(() => undefined);
        stats.counters.rejected++;
        this.warn('queueing a write failed; answered 503', error);
        throw new WriteQueueUnavailableError('The write queue is unavailable. Try again shortly.', error);
      }
    }
    await this.confirmReplicas(mark);
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
   * With REDIS_QUEUE_MIN_REPLICAS > 0: waits until that many replicas hold the reservation and the
   * job (one WAIT on the producer connection, which sent both, covers them). Unconfirmed in time,
   * the write answers 503: a failover might lose it, so it is not acknowledged.
   *
   * It is not undone, unlike a write whose job could not be added: its job is already visible, and
   * a worker may flush it as soon as the replicas catch up (workers wait for them too), so an undo
   * would let the row's next write take the same version, which PostgreSQL's version guard then
   * drops: an acknowledged write lost. The outcome of such a 503 is unknown to the client, as
   * for a timeout: the write lands unless a failover loses it first; a retry that names the version
   * it read may then get 409 with the current version.
   */
  private async confirmReplicas(mark: number): Promise<void> {
    const { stats, replicas } = this.feature;
    try {
      await replicas.confirm(mark);
    } catch (error) {
      stats.counters.rejected++;
      stats.counters.unconfirmed++;
      this.warn('the queue Redis replicas did not confirm a write; answered 503', error);
      throw new WriteQueueUnavailableError(
        'The write was not confirmed by the queue Redis replicas in time: it may or may not be kept. Try again shortly (read first: a retry naming an old version gets 409).',
        error,
      );
    }
  }

  /** Redis did not answer: `sync` writes to PostgreSQL directly, `reject` answers 503. */
  private async redisDown(request: WriteRequest<S>, error: unknown): Promise<WriteOutcome> {
    const { config, store, stats } = this.feature;
    if (config.redisDownMode === 'sync') {
      this.warn('Redis is unreachable: writing straight to PostgreSQL (WRITE_BEHIND_REDIS_DOWN_MODE=sync)', error);
      const outcome = await store.writeSync(request);
      if (outcome.kind === 'accepted') {
        stats.counters.syncWrites++;
        this.writtenAround.add(outcome.id);
      }
      return outcome;
    }
    stats.counters.rejected++;
    this.warn('Redis is unreachable: writes answer 503 (WRITE_BEHIND_REDIS_DOWN_MODE=reject)', error);
    throw new WriteQueueUnavailableError('The write queue is unavailable. Try again shortly.', error);
  }

  /** At most one line per 5 s: an outage under load must not flood the log. */
  private warn(message: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastDownLogAt < 5_000) return;
    this.lastDownLogAt = now;
    this.logger.warn({ err: { message: (error as Error)?.message } }, message);
  }
}
