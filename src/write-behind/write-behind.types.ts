import type { WriteBehindConfig } from './write-behind.config';
import type { ModuleMetadata } from '@nestjs/common';

/**
 * One write as a worker flushes it: the full new state of a row at `version`
 * (`meta` is the feature's per-row constant, e.g. its creation time), or its
 * deletion at `version`. A feature's `flush` must apply ops idempotently and
 * only over older versions, so that replays and reordering are harmless.
 */
export type WriteOp<S = unknown> =
  | { readonly kind: 'upsert'; readonly id: number; readonly version: number; readonly meta: string; readonly state: S }
  | { readonly kind: 'delete'; readonly id: number; readonly version: number };

/** What the edge checks need to know of one row: its version, its unique value and its meta. */
export interface RowState {
  readonly id: number;
  readonly version: number;
  /** True for a deleted row (a tombstone): writes to it answer "missing". */
  readonly deleted: boolean;
  /** The value that must be unique across rows (e.g. a SKU); empty for none. */
  readonly unique: string;
  /** Constant per row, returned with every accepted write (e.g. the creation time). */
  readonly meta: string;
}

/**
 * What a feature gives the kit (`WriteBehindModule.forFeature({ entity, store })`):
 * the I/O of its table. Implemented by a repository of the feature.
 */
export interface WriteBehindStore<S = unknown> {
  /** Resolves once the table is migrated and seeded: the kit loads row states after it. */
  whenReady(): Promise<void>;
  /** Row states with an id above `afterId`, in id order, at most `limit`, tombstones included. */
  loadStates(afterId: number, limit: number): Promise<RowState[]>;
  /** The state PostgreSQL holds for `id`, or undefined when it has no such row. */
  currentState(id: number): Promise<RowState | undefined>;
  /** `count` new ids, unique forever (from the table's sequence). */
  reserveIds(count: number): Promise<number[]>;
  /** The unique value of a state (e.g. its SKU), '' for none: checked again when a dead letter is replayed. */
  uniqueOf(state: S): string;
  /** Writes `ops` (at most one per id) in as few statements as possible; throws the database's error. */
  flush(ops: ReadonlyArray<WriteOp<S>>): Promise<void>;
  /** The same write straight to PostgreSQL, for `WRITE_BEHIND_REDIS_DOWN_MODE=sync`. */
  writeSync(request: WriteRequest<S>): Promise<WriteOutcome>;
  /** Called after the kit corrected the state of `id` (a dead letter, a replay): drop cached copies. */
  onStateCorrected?(id: number): Promise<void>;
}

/** A write a feature asks for, after validating it. `state` excludes id, version and meta. */
export type WriteRequest<S = unknown> =
  | { readonly kind: 'create'; readonly unique: string; readonly meta: string; readonly state: S }
  | { readonly kind: 'update'; readonly id: number; readonly expectedVersion?: number; readonly unique: string; readonly state: S }
  | { readonly kind: 'delete'; readonly id: number; readonly expectedVersion?: number };

/** The answer to a write, given at once (before PostgreSQL has it). */
export type WriteOutcome =
  | { readonly kind: 'accepted'; readonly id: number; readonly version: number; readonly meta: string; readonly path: 'queued' | 'coalesced' | 'sync' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'stale'; readonly currentVersion: number }
  | { readonly kind: 'duplicate'; readonly ownerId: number };

/** The outcome of one write of `WriteBehind.writeMany`: `aborted` when another write of its atomic group was refused. */
export type BulkWriteOutcome = WriteOutcome | { readonly kind: 'aborted' };

/** Registration of one feature's queue. */
export interface WriteBehindFeatureOptions {
  /** Name of the entity (the table), e.g. `products`: names the queue and its Redis keys. */
  readonly entity: string;
  /** The feature's store class (provided by the write-behind feature module, so it may inject global services). */
  readonly store: new (...args: never[]) => WriteBehindStore<never>;
  /** Modules whose exports the store injects (besides the global ones). */
  readonly imports?: ModuleMetadata['imports'];
  /**
   * This queue's own batching and retry settings, over the module-wide
   * `WRITE_BEHIND_*` ones (a feature whose table is slow to write may want
   * smaller batches, or more attempts spaced further apart).
   * @default {} (the `WRITE_BEHIND_*` values)
   */
  readonly queue?: WriteBehindQueueOptions;
}

/** The settings one feature queue may override (see {@link WriteBehindFeatureOptions.queue}); units as in `WriteBehindConfig`. */
export type WriteBehindQueueOptions = Partial<
  Pick<WriteBehindConfig, 'batchSize' | 'flushIntervalMs' | 'workers' | 'attempts' | 'backoffBaseMs' | 'backoffCapMs' | 'retryBudgetRatio' | 'keepDeadLetters'>
>;

/** One row of a queued job: which row, and its op as it was when the job was added. */
export interface WriteJobRow {
  readonly id: number;
  readonly kind: WriteOp['kind'];
  readonly version: number;
  readonly meta: string;
}

/**
 * The data of a queued job: the rows whose writes reached Redis in one group commit (one RESERVE
 * call adds one job for all of them). The state itself is not in it: the worker flushes each row's
 * latest pending state from the write state (kept once per row, not once per job). A job whose
 * rows fail is split into single-row jobs (see `WriteBehindWorker`), so a dead letter always
 * holds one row, with the state of the op that failed and why.
 */
export interface WriteJobData {
  readonly rows: readonly WriteJobRow[];
  /** Dead letters only: the state of the failed op (absent when no write of the row was pending any more). */
  readonly state?: unknown;
  /** The job of several rows this one was split off from, when its row failed there (its first run is a retry). */
  readonly splitFrom?: string;
  /** Set when the row failed for good: why (a job added with it fails at its first run, a dead letter). */
  readonly reason?: { readonly code: string; readonly message: string };
}

/**
 * The rows of a job. Jobs queued before jobs carried several rows held one, at the top level
 * (`{ id, kind, version, meta }`): still read, so an upgrade in place flushes what was queued.
 */
export function jobRows(data: WriteJobData): readonly WriteJobRow[] {
  const { rows } = data as Partial<WriteJobData>;
  if (rows) return rows;
  const { id, kind, version, meta } = data as unknown as WriteJobRow;
  return [{ id, kind, version, meta }];
}
