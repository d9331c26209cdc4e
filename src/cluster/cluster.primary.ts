import type { Cluster, Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { isProcessMetricsMessage, mergeProcessFamilies, PROCESS_INDEX_ENV, renderFamilies, type MetricFamily, type ProcessMetricsMessage } from '../metrics';
import { equalJitterDelayMs } from '../resilience';
import type { ClusterConfig } from './cluster.config';

export interface ClusterPrimaryOptions extends ClusterConfig {
  /** After SIGTERM, how long the app processes get to drain before they are killed (their own shutdown bound, plus a margin). */
  readonly shutdownTimeoutMs: number;
  /** How long a machine-wide scrape waits for each process's metrics. */
  readonly scrapeTimeoutMs: number;
}

/** One place for an app process: the process in it now, and its crashes in a row. */
interface Slot {
  readonly index: number;
  worker?: Worker;
  startedAt: number;
  crashesInARow: number;
  restarts: number;
  restartTimer?: NodeJS.Timeout;
  metricsReady: boolean;
}

interface Gathering {
  readonly requester: Worker;
  /** The requester's id for its request. */
  readonly requestId: number;
  readonly waitingFor: Set<number>;
  readonly families: Array<{ index: number; families: readonly MetricFamily[] }>;
  readonly timer: NodeJS.Timeout;
}

/**
 * The primary of `APP_PROCESSES=N`: forks N app processes that share the listening port
 * (`node:cluster`: the primary accepts and hands connections out in turn), restarts one that dies
 * (equal-jitter backoff, growing with crashes in a row), forwards SIGTERM/SIGINT to every process
 * and exits once they have all drained (each runs the usual shutdown: readiness first, then the
 * listener, then the rest), and gathers the machine's metrics for whichever process a scrape
 * reaches. It runs no Nest application and holds no connection to Redis or PostgreSQL.
 */
export class ClusterPrimary {
  private readonly slots: Slot[];
  private stopping = false;
  private readonly gatherings = new Map<number, Gathering>();
  private nextGathering = 1;
  private resolveExit!: (code: number) => void;
  /** Settles with the exit code once every process has exited after a stop. */
  readonly exited = new Promise<number>((resolve) => (this.resolveExit = resolve));

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ClusterPrimaryOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.slots = Array.from({ length: options.processes }, (_, index) => ({ index, startedAt: 0, crashesInARow: 0, restarts: 0, metricsReady: false }));
  }

  start(): void {
    // Structured clone on the IPC channel: metric values such as NaN and +Inf survive it (JSON would turn them into null).
    this.cluster.setupPrimary({ serialization: 'advanced' });
    this.cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
    this.cluster.on('message', (worker, message) => this.onMessage(worker, message));
    for (const slot of this.slots) this.fork(slot);
    this.logger.info({ processes: this.slots.length }, `primary ${process.pid}: started ${this.slots.length} app processes`);
  }

  /** SIGTERM (or the signal given) to every app process; the primary exits once all have. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info({ signal }, `primary: ${signal}, stopping ${this.running().length} app processes`);
    for (const slot of this.slots) clearTimeout(slot.restartTimer);
    for (const worker of this.running()) worker.process.kill(signal);
    const deadline = setTimeout(() => {
      const left = this.running();
      this.logger.error({ left: left.length }, `primary: ${left.length} app processes still running after ${this.options.shutdownTimeoutMs} ms, killing them`);
      for (const worker of left) worker.process.kill('SIGKILL');
      this.resolveExit(1);
    }, this.options.shutdownTimeoutMs);
    deadline.unref();
    this.exitIfDone();
  }

  /** What operators and metrics see. */
  snapshot(): { processes: number; running: number; restarts: number } {
    return { processes: this.slots.length, running: this.running().length, restarts: this.slots.reduce((sum, slot) => sum + slot.restarts, 0) };
  }

  private fork(slot: Slot): void {
    slot.restartTimer = undefined;
    slot.metricsReady = false;
    slot.startedAt = this.now();
    slot.worker = this.cluster.fork({ [PROCESS_INDEX_ENV]: String(slot.index) });
  }

  private running(): Worker[] {
    return this.slots.flatMap((slot) => (slot.worker && !slot.worker.isDead() ? [slot.worker] : []));
  }

  private slotOf(worker: Worker): Slot | undefined {
    return this.slots.find((slot) => slot.worker === worker);
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    const slot = this.slotOf(worker);
    if (!slot) return;
    slot.worker = undefined;
    slot.metricsReady = false;
    for (const id of [...this.gatherings.keys()]) this.received(id, slot.index, undefined);
    if (this.stopping) {
      this.exitIfDone();
      return;
    }
    // A process that ran long enough counts as having recovered: its next crash waits the first step again.
    slot.crashesInARow = this.now() - slot.startedAt >= this.options.restart.stableMs ? 0 : slot.crashesInARow + 1;
    const delayMs = equalJitterDelayMs(slot.crashesInARow - 1, this.options.restart.baseMs, this.options.restart.capMs);
    slot.restarts += 1;
    this.logger.error(
      { process: slot.index, pid: worker.process.pid, code, signal, crashesInARow: slot.crashesInARow, restartInMs: delayMs },
      `app process ${slot.index} exited unexpectedly; restarting it`,
    );
    slot.restartTimer = setTimeout(() => this.fork(slot), delayMs);
  }

  private exitIfDone(): void {
    if (this.stopping && this.running().length === 0) {
      this.logger.info('primary: every app process has exited');
      this.resolveExit(0);
    }
  }

  private onMessage(worker: Worker, message: unknown): void {
    if (!isProcessMetricsMessage(message)) return;
    const slot = this.slotOf(worker);
    if (!slot) return;
    if (message.bulwark === 'metrics-ready') slot.metricsReady = true;
    else if (message.bulwark === 'metrics-request') this.gather(worker, message.id);
    else if (message.bulwark === 'metrics-families') {
      this.received(message.id, slot.index, message.families);
    }
  }

  /** Asks every ready process for its families; answers `requester` once all have answered (or the timeout passed). */
  private gather(requester: Worker, requestId: number): void {
    const id = this.nextGathering++;
    const ready = this.slots.filter((slot) => slot.metricsReady && slot.worker && !slot.worker.isDead());
    const gathering: Gathering = {
      requester,
      requestId,
      waitingFor: new Set(ready.map((slot) => slot.index)),
      families: [],
      timer: setTimeout(() => void this.answer(id), this.options.scrapeTimeoutMs),
    };
    this.gatherings.set(id, gathering);
    gathering.timer.unref();
    const collect: ProcessMetricsMessage = { bulwark: 'metrics-collect', id };
    for (const slot of ready) slot.worker!.send(collect);
    if (gathering.waitingFor.size === 0) void this.answer(id);
  }

  /** Process `index`'s families for gathering `id` (undefined: it exited before answering). */
  private received(id: number, index: number, families: readonly MetricFamily[] | undefined): void {
    const gathering = this.gatherings.get(id);
    if (!gathering?.waitingFor.delete(index)) return;
    if (families) gathering.families.push({ index, families });
    if (gathering.waitingFor.size === 0) void this.answer(id);
  }

  private async answer(id: number): Promise<void> {
    const gathering = this.gatherings.get(id);
    if (!gathering) return;
    this.gatherings.delete(id);
    clearTimeout(gathering.timer);
    let reply: ProcessMetricsMessage;
    try {
      const text = await renderFamilies([...mergeProcessFamilies(gathering.families), ...this.ownFamilies(gathering)]);
      reply = { bulwark: 'metrics-result', id: gathering.requestId, text };
    } catch (error) {
      reply = { bulwark: 'metrics-result', id: gathering.requestId, error: error instanceof Error ? error.message : String(error) };
    }
    if (!gathering.requester.isDead()) gathering.requester.send(reply);
  }

  /** The primary's own series: how many processes should run, run, restarted, and answered this scrape. */
  private ownFamilies(gathering: Gathering): MetricFamily[] {
    const { processes, running, restarts } = this.snapshot();
    return [
      {
        name: 'bulwark_app_processes',
        help: 'App processes this machine should run (APP_PROCESSES).',
        type: 'gauge',
        values: [{ labels: {}, value: processes }],
      },
      { name: 'bulwark_app_processes_running', help: 'App processes running now.', type: 'gauge', values: [{ labels: {}, value: running }] },
      {
        name: 'bulwark_app_process_restarts_total',
        help: 'App processes restarted by the primary after they exited unexpectedly.',
        type: 'counter',
        values: [{ labels: {}, value: restarts }],
      },
      {
        name: 'bulwark_app_processes_scraped',
        help: 'App processes whose metrics are in this scrape (fewer than running: one did not answer in time or was starting).',
        type: 'gauge',
        values: [{ labels: {}, value: gathering.families.length }],
      },
    ];
  }
}
