/** Options of {@link BatchCollector}. */
export interface BatchCollectorOptions<T = unknown> {
  /** A batch is handed over as soon as its items weigh this much in all. */
  readonly maxItems: number;
  /** …or this long after its first item arrived, whichever comes first. */
  readonly maxWaitMs: number;
  /** What one item weighs (a job: its rows). @default 1 */
  readonly weight?: (item: T) => number;
}

interface Pending<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers items that arrive one by one (BullMQ hands a worker one job per
 * processor call; with concurrency = batch size, up to that many calls are
 * open at once) into batches of up to `maxItems` (by weight: the rows of the
 * jobs) or `maxWaitMs`, and settles
 * each item's promise with the outcome `onBatch` reports for it.
 */
export class BatchCollector<T> {
  private pending: Pending<T>[] = [];
  private weight = 0;
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly options: BatchCollectorOptions<T>,
    /** Handles one batch; returns the error of each failed item (absent = succeeded). */
    private readonly onBatch: (items: readonly T[]) => Promise<Map<T, unknown>>,
  ) {}

  /** Resolves once `item` is flushed; rejects with its own error. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.weight += this.options.weight?.(item) ?? 1;
      if (this.weight >= this.options.maxItems) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.options.maxWaitMs);
    });
  }

  /** Hands over what is gathered now, and waits for every batch in flight. */
  async drain(): Promise<void> {
    this.flushNow();
    await Promise.allSettled([...this.inFlight]);
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.weight = 0;
    const run = this.onBatch(batch.map((p) => p.item)).then(
      (failed) => {
        for (const p of batch) {
          if (failed.has(p.item)) p.reject(failed.get(p.item));
          else p.resolve();
        }
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }
}
