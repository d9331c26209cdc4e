/** Counters of one feature's write path since this process started; see {@link WriteBehindStats}. */
export interface WriteBehindCounters {
  /** Writes accepted that added a job. */
  enqueued: number;
  /** Writes accepted that joined a waiting job of the same row (no new job). */
  coalesced: number;
  /** Writes written straight to PostgreSQL (`sync` mode while Redis was down). */
  syncWrites: number;
  /** Group commits: RESERVE script calls of the write path, each for one or more writes. */
  groups: number;
  /** Writes those groups carried (their mean size is this / groups). */
  groupedWrites: number;
  /** Writes refused with 503 (Redis or the queue unreachable, or the replicas did not confirm). */
  rejected: number;
  /** Of those, writes the queue Redis replicas did not confirm in time (REDIS_QUEUE_MIN_REPLICAS); kept, so they may land. */
  unconfirmed: number;
  /** Batches flushed (each one multi-row upsert, plus splits on a bad row). */
  batches: number;
  /** Rows written to PostgreSQL. */
  flushedRows: number;
  /** Flush statements sent (calls of the feature's flush). */
  flushCalls: number;
  /** Largest batch so far. */
  batchSizeMax: number;
  /** Attempts that were retries. */
  retries: number;
  /** Retries the retry budget deferred to the cap. */
  deferredRetries: number;
  /** Jobs that became dead letters in this process. */
  deadLettered: number;
  /** Jobs handed back to the queue because PostgreSQL was unreachable (no attempt used). */
  handedBack: number;
  /** BullMQ workers replaced because they took no job while jobs waited (see `StallWatch`). */
  workersReplaced: number;
}

/** A point-in-time view for the metrics collector, the admin API and readiness details. */
export interface WriteBehindSnapshot extends WriteBehindCounters {
  readonly entity: string;
  /** Mean batch size. */
  readonly batchSizeAvg: number;
  /** Jobs waiting or delayed (retries) in the queue (a job holds the rows of one group commit). */
  readonly queueDepth: number;
  /** Rows with a write PostgreSQL does not have yet (all processes): the backlog in rows, whatever the jobs. */
  readonly pendingRows: number;
  readonly waiting: number;
  readonly delayed: number;
  readonly active: number;
  /** Dead letters kept in the queue (all processes). */
  readonly deadLetters: number;
  /** Active jobs whose worker no longer holds their lock (it died): they wait for the stalled check to move them on. */
  readonly stalled: number;
  /** Age of the oldest job not yet landed (waiting or active), 0 when none. */
  readonly oldestWaitingAgeMs: number;
  /** True while the backlog (pending rows or oldest job's age) is past `WRITE_BEHIND_BACKLOG_ALERT_*`. */
  readonly backlogOverBound: boolean;
  /** True while this process's workers pause because PostgreSQL is unreachable. */
  readonly databaseOutage: boolean;
  /** Pauses for an unreachable PostgreSQL since start-up (each one is a failed probe). */
  readonly outagePauses: number;
  /** Time from enqueue to landing in PostgreSQL over the last 1000 rows flushed here. */
  readonly flushLagMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Rows landed here whose lag was measured, since start-up (the flush-lag summary's `_count`). */
  readonly flushLagCount: number;
  /** Sum of those lags, since start-up (the flush-lag summary's `_sum`, in ms). */
  readonly flushLagSumMs: number;
  /** Batches per size bucket of {@link BATCH_SIZE_BOUNDS} (not cumulative; the last one is above the largest bound). */
  readonly batchSizeBuckets: readonly number[];
}

const LAG_SAMPLES = 1000;

/** Upper bounds of the batch-size histogram (rows per flushed batch). */
export const BATCH_SIZE_BOUNDS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];

/** The in-process counters of one feature's queue, and its flush-lag samples. */
export class WriteBehindStats {
  readonly counters: WriteBehindCounters = {
    enqueued: 0,
    coalesced: 0,
    groups: 0,
    groupedWrites: 0,
    syncWrites: 0,
    rejected: 0,
    unconfirmed: 0,
    batches: 0,
    flushedRows: 0,
    flushCalls: 0,
    batchSizeMax: 0,
    retries: 0,
    deferredRetries: 0,
    deadLettered: 0,
    handedBack: 0,
    workersReplaced: 0,
  };
  /** Batches per size bucket (not cumulative): index i counts sizes ≤ BATCH_SIZE_BOUNDS[i], the last one the rest. */
  readonly batchSizes = new Float64Array(BATCH_SIZE_BOUNDS.length + 1);
  private readonly lags = new Float64Array(LAG_SAMPLES);
  private lagCount = 0;
  private lagSumMs = 0;

  /** Records a flushed batch of `rows` rows. */
  batch(rows: number, calls: number): void {
    this.counters.batches++;
    this.counters.flushedRows += rows;
    this.counters.flushCalls += calls;
    this.counters.batchSizeMax = Math.max(this.counters.batchSizeMax, rows);
    let bucket = 0;
    while (bucket < BATCH_SIZE_BOUNDS.length && rows > BATCH_SIZE_BOUNDS[bucket]) bucket++;
    this.batchSizes[bucket]++;
  }

  /** Records the lag of one row (enqueue → landed). */
  lag(ms: number): void {
    this.lags[this.lagCount++ % LAG_SAMPLES] = ms;
    this.lagSumMs += ms;
  }

  /** Lags recorded and their sum, since start-up. */
  lagTotals(): { count: number; sumMs: number } {
    return { count: this.lagCount, sumMs: this.lagSumMs };
  }

  /** p50/p99/max of the recorded lags. */
  lagSummary(): { p50: number; p99: number; max: number } {
    const n = Math.min(this.lagCount, LAG_SAMPLES);
    if (n === 0) return { p50: 0, p99: 0, max: 0 };
    const sorted = Array.from(this.lags.subarray(0, n)).sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(n - 1, Math.ceil(p * n) - 1)];
    return { p50: at(0.5), p99: at(0.99), max: sorted[n - 1] };
  }
}
