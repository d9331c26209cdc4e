/** Options of {@link BatchCollector}. */
export interface BatchCollectorOptions<T = unknown> {
  /** A batch is handed over as soon as its items weigh this much in all (and no batch is in flight). */
  readonly maxItems: number;
  /** …or this long after its first item arrived, whichever comes first. */
  readonly maxWaitMs: number;
  /** What one item weighs (a job: its rows). @default 1 */
  readonly weight?: (item: T) => number;
}

interface Pending<T> {
  readonly item: T;
  readonly weight: number;
  readonly arrivedAt: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers items that arrive one by one (BullMQ hands a worker one job per
 * processor call; with concurrency = batch size, up to that many calls are
 * open at once) into batches of up to `maxItems` (by weight: the rows of the
 * jobs) or `maxWaitMs`, and settles each item's promise with the outcome
 * `onBatch` reports for it.
 *
 * One batch is in flight at a time: items arriving meanwhile wait for it, and
 * go in the next batch, as soon as it is full or its first item has waited
 * `maxWaitMs`. So a worker holds at most about `maxItems` rows in flight
 * however many rows a job carries, and while PostgreSQL is slow the waiting
 * jobs stay unclaimed, so that new writes of their rows coalesce into them.
 */
export class BatchCollector<T> {
  private pending: Pending<T>[] = [];
  private weight = 0;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;

  constructor(
    private readonly options: BatchCollectorOptions<T>,
    /** Handles one batch; returns the error of each failed item (absent = succeeded). */
    private readonly onBatch: (items: readonly T[]) => Promise<Map<T, unknown>>,
  ) {}

  /** True when nothing is gathered and no batch is in flight. */
  get idle(): boolean {
    return this.inFlight === undefined && this.pending.length === 0;
  }

  /** Resolves once `item` is flushed; rejects with its own error. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      const weight = this.options.weight?.(item) ?? 1;
      this.pending.push({ item, weight, arrivedAt: Date.now(), resolve, reject });
      this.weight += weight;
      this.schedule();
    });
  }

  /** Hands over everything gathered now, batch after batch, and waits for them. */
  async drain(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight || this.pending.length > 0) {
      if (this.inFlight) await this.inFlight;
      else this.flushNow();
    }
  }

  /** Flushes now when a batch is full, else arms the timer of the oldest item (nothing while a batch is in flight). */
  private schedule(): void {
    if (this.inFlight || this.pending.length === 0) return;
    if (this.weight >= this.options.maxItems) return this.flushNow();
    this.timer ??= setTimeout(() => this.flushNow(), Math.max(0, this.pending[0].arrivedAt + this.options.maxWaitMs - Date.now()));
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight || this.pending.length === 0) return;
    // Up to maxItems of weight, and at least one item (a job heavier than a batch goes alone).
    let taken = 0;
    let weight = 0;
    while (taken < this.pending.length && (taken === 0 || weight + this.pending[taken].weight <= this.options.maxItems)) weight += this.pending[taken++].weight;
    const batch = this.pending.slice(0, taken);
    this.pending = this.pending.slice(taken);
    this.weight -= weight;
    this.inFlight = this.onBatch(batch.map((p) => p.item)).then(
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
    void this.inFlight.finally(() => {
      this.inFlight = undefined;
      this.schedule();
    });
  }
}
