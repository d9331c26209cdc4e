/**
 * What a request costs the service when refused (Google SRE book, "Handling Overload"):
 * - `critical`: health probes, `/metrics`, admin. Never refused, not counted against the limit.
 * - `essential`: the product itself (catalog reads and writes). Queued briefly over the limit.
 * - `sheddable`: non-essential features. Refused first, never queued.
 */
export const CRITICALITIES = ['critical', 'essential', 'sheddable'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/** Why a request was refused. */
export type RejectReason = 'limit' | 'queue-full' | 'queue-timeout';

export interface AdmissionOptions {
  /** Essential requests over the limit wait in a queue of at most this many … */
  readonly queueSize: number;
  /**
   * … for at most this long, then are refused. Also the standing-queue interval: once the queue has not been empty for this
   * long, requests over the limit are refused at once until this long passes with none over it.
   */
  readonly queueTimeoutMs: number;
  /** Sheddable requests are admitted only while fewer than this share of the limit is in flight. */
  readonly sheddableShare: number;
}

/** The limit the controller enforces: adaptive ({@link GradientLimit}) or pinned. */
export interface LimitSource {
  readonly limit: number;
  record(latencyMs: number, inFlight: number): void;
}

/** Called once a request may run; `release` must be called once it has been answered. */
export type Admitted = (release: () => void) => void;
export type Rejected = (reason: RejectReason) => void;

interface Waiter {
  readonly admitted: Admitted;
  readonly rejected: Rejected;
  readonly timer: NodeJS.Timeout;
}

/** Counters and state, for metrics and operators. */
export interface AdmissionSnapshot {
  enabled: boolean;
  limit: number;
  pinned: boolean;
  inFlight: number;
  queued: number;
  admitted: Record<Criticality, number>;
  rejected: Record<Criticality, number>;
  queueTimeouts: number;
  /** True while the queue is closed because it stood (see {@link AdmissionController}). */
  standingQueue: boolean;
  rejecting: boolean;
}

const perClass = (): Record<Criticality, number> => ({ critical: 0, essential: 0, sheddable: 0 });

/**
 * Admission of requests against a concurrency limit, by criticality:
 * critical requests always run; sheddable ones run only while the process is well under its limit
 * (and nobody waits), so that under pressure they are refused first; essential ones run up to the
 * limit, then wait in a short queue, then are refused. Refusals are decided at once and cost no
 * work: the caller answers 503.
 *
 * The queue is for bursts, not for overload (Facebook's adaptive LIFO with CoDel's standing-queue
 * test, "Fail at Scale", 2015). It is LIFO with a timeout per entry: the newest request is the one
 * whose client is most likely still waiting, and serving the oldest first (FIFO) would make every
 * request wait the whole queue; the oldest time out instead, and no request waits longer than
 * `queueTimeoutMs`. A queue that has not been empty for a whole `queueTimeoutMs` (or whose first
 * entry timed out) is a standing queue: the limit is reached by the offered load, not by a burst,
 * and waiting would only add latency to refusals that come anyway. Then the queue closes: requests
 * over the limit are refused at once (a refusal costs microseconds, not the timeout), those already
 * waiting still get the freed slots newest first, and the queue opens again once `queueTimeoutMs`
 * has passed with no request over the limit. CoDel's drop-rate schedule is not needed here: the
 * limit, not the queue, sets how much runs.
 */
export class AdmissionController {
  private inFlightNow = 0;
  /** Newest last. */
  private readonly queue: Waiter[] = [];
  private readonly admittedCount = perClass();
  private readonly rejectedCount = perClass();
  private queueTimeouts = 0;
  /** When the queue last went from empty to not empty (undefined while empty). */
  private queueBusySince: number | undefined;
  private standing = false;
  private lastOverLimitAt = Number.NEGATIVE_INFINITY;
  private pinnedLimit: number | undefined;
  private lastRejectAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly adaptive: LimitSource,
    private readonly options: AdmissionOptions,
    private enabledNow = true,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The limit in force: the pinned one, else the adaptive one. */
  get limit(): number {
    return this.pinnedLimit ?? this.adaptive.limit;
  }

  get inFlight(): number {
    return this.inFlightNow;
  }

  get enabled(): boolean {
    return this.enabledNow;
  }

  /** Turns admission control on or off (off: every request runs, nothing is measured). */
  setEnabled(enabled: boolean): void {
    this.enabledNow = enabled;
    if (!enabled) this.drain();
  }

  /** Pins the limit (operators), or gives it back to the adaptive estimate with `undefined`. */
  pin(limit: number | undefined): void {
    this.pinnedLimit = limit === undefined ? undefined : Math.max(1, Math.floor(limit));
    this.drain();
  }

  /**
   * Decides for one request: calls `admitted` now or later (from the queue), or `rejected` now or
   * after the queue timeout; exactly one of them, once.
   */
  admit(criticality: Criticality, admitted: Admitted, rejected: Rejected): void {
    if (criticality === 'critical' || !this.enabledNow) {
      this.admittedCount[criticality] += 1;
      admitted(noop);
      return;
    }
    const limit = this.limit;
    if (criticality === 'sheddable') {
      if (this.queue.length === 0 && this.inFlightNow < Math.max(1, Math.floor(limit * this.options.sheddableShare))) this.start('sheddable', admitted);
      else this.reject('sheddable', 'limit', rejected);
      return;
    }
    if (this.inFlightNow < limit && this.queue.length === 0) {
      this.start('essential', admitted);
      return;
    }
    if (this.overLimitQueueClosed()) {
      this.reject('essential', 'limit', rejected);
      return;
    }
    if (this.queue.length >= this.options.queueSize) {
      this.reject('essential', this.options.queueSize === 0 ? 'limit' : 'queue-full', rejected);
      return;
    }
    const waiter: Waiter = {
      admitted,
      rejected,
      timer: setTimeout(() => {
        const index = this.queue.indexOf(waiter);
        if (index < 0) return;
        this.queue.splice(index, 1);
        if (this.queue.length === 0) this.queueBusySince = undefined;
        this.queueTimeouts += 1;
        // An entry waited the whole timeout: the queue stood that long.
        this.standing = true;
        this.lastOverLimitAt = this.now();
        this.reject('essential', 'queue-timeout', rejected);
      }, this.options.queueTimeoutMs),
    };
    waiter.timer.unref?.();
    if (this.queue.length === 0) this.queueBusySince = this.now();
    this.queue.push(waiter);
  }

  /**
   * For an essential request over the limit: whether the queue is closed (it stood; see the class comment). Opens it again
   * once a whole interval passed with no request over the limit.
   */
  private overLimitQueueClosed(): boolean {
    const now = this.now();
    const interval = this.options.queueTimeoutMs;
    if (this.standing && now - this.lastOverLimitAt >= interval) this.standing = false;
    this.lastOverLimitAt = now;
    if (!this.standing && this.queueBusySince !== undefined && now - this.queueBusySince >= interval) this.standing = true;
    return this.standing;
  }

  /** True while requests were refused within the last second (for logs and readiness details). */
  get rejecting(): boolean {
    return this.now() - this.lastRejectAt < 1_000;
  }

  snapshot(): AdmissionSnapshot {
    return {
      enabled: this.enabledNow,
      limit: this.limit,
      pinned: this.pinnedLimit !== undefined,
      inFlight: this.inFlightNow,
      queued: this.queue.length,
      admitted: { ...this.admittedCount },
      rejected: { ...this.rejectedCount },
      queueTimeouts: this.queueTimeouts,
      standingQueue: this.standing && this.now() - this.lastOverLimitAt < this.options.queueTimeoutMs,
      rejecting: this.rejecting,
    };
  }

  private start(criticality: Exclude<Criticality, 'critical'>, admitted: Admitted): void {
    this.inFlightNow += 1;
    this.admittedCount[criticality] += 1;
    const inFlightAtStart = this.inFlightNow;
    const startedAt = this.now();
    let released = false;
    admitted(() => {
      if (released) return;
      released = true;
      this.inFlightNow -= 1;
      if (this.pinnedLimit === undefined && this.enabledNow) this.adaptive.record(this.now() - startedAt, inFlightAtStart);
      this.drain();
    });
  }

  /** Runs queued requests (newest first) while there is room under the limit, or all of them when disabled. */
  private drain(): void {
    while (this.queue.length > 0 && (!this.enabledNow || this.inFlightNow < this.limit)) {
      const waiter = this.queue.pop()!;
      if (this.queue.length === 0) this.queueBusySince = undefined;
      clearTimeout(waiter.timer);
      this.start('essential', waiter.admitted);
    }
  }

  private reject(criticality: Criticality, reason: RejectReason, rejected: Rejected): void {
    this.rejectedCount[criticality] += 1;
    this.lastRejectAt = this.now();
    rejected(reason);
  }
}

function noop(): void {}
