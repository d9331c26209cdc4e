import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig } from '../config';
import { healthConfig, type HealthConfig } from './health.config';

/**
 * Phases of shutdown, in the order they run once the HTTP server has closed
 * (Nest closes HTTP itself before `onApplicationShutdown`).
 */
export const SHUTDOWN_PHASES = ['queues', 'redis', 'database'] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

/** One closer of the sequence. */
export interface CloserOptions {
  /**
   * Called when `close` has not finished within `SHUTDOWN_STEP_TIMEOUT_MS`:
   * drop the connections by force (ioredis `disconnect()`), so that commands
   * still waiting fail and nothing keeps the process from exiting.
   */
  readonly abandon?: () => void;
}

interface Closer extends CloserOptions {
  readonly name: string;
  readonly close: () => Promise<unknown>;
}

/**
 * Closes the app's connections in a fixed order: queues (which may still write
 * to Redis and PostgreSQL), then Redis, then PostgreSQL. Modules register a
 * closer for their phase instead of each closing in their own hook, whose
 * order across modules Nest does not promise.
 *
 * Each closer gets at most `SHUTDOWN_STEP_TIMEOUT_MS`. A graceful close can
 * wait forever on a connection that a network fault left behind (a BullMQ
 * worker whose blocking command was lost in a reconnection, a QUIT that never
 * gets its answer): past the bound the closer is abandoned (its `abandon`
 * drops its connections) and the next phase starts, so one stuck connection
 * does not hold the pod until `SHUTDOWN_TIMEOUT_MS` kills it with exit code 1.
 */
@Injectable()
export class ShutdownSequence implements OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private readonly closers = new Map<ShutdownPhase, Closer[]>(SHUTDOWN_PHASES.map((phase) => [phase, []]));
  private draining = false;
  private readonly drainListeners: Array<() => void> = [];
  private abandonedNames: string[] = [];

  constructor(@InjectConfig(healthConfig) private readonly config: Pick<HealthConfig, 'shutdownStepTimeoutMs'>) {}

  /** Adds a closer to `phase`; closers of one phase run in parallel. */
  register(phase: ShutdownPhase, name: string, close: () => Promise<unknown>, options: CloserOptions = {}): void {
    this.closers.get(phase)!.push({ name, close, ...options });
  }

  /** Marks the pod as draining: readiness answers 503 from now on, and the {@link onDrain} listeners are told. */
  beginDrain(): void {
    if (this.draining) return;
    this.draining = true;
    for (const listener of this.drainListeners) listener();
  }

  /** Calls `listener` when the drain begins (at once if it has): the HTTP server starts closing its connections then. */
  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
    if (this.draining) listener();
  }

  /** True once a shutdown signal has been received. */
  isDraining(): boolean {
    return this.draining;
  }

  /** Names of the closers the last shutdown abandoned (past their bound), in the order it gave up on them. */
  get abandoned(): readonly string[] {
    return this.abandonedNames;
  }

  async onApplicationShutdown(): Promise<void> {
    this.draining = true;
    this.abandonedNames = [];
    for (const phase of SHUTDOWN_PHASES) {
      await Promise.all(this.closers.get(phase)!.map((closer) => this.runBounded(closer)));
    }
  }

  private async runBounded({ name, close, abandon }: Closer): Promise<void> {
    const startedAt = Date.now();
    const closing = Promise.resolve()
      .then(close)
      .then(
        () => 'closed' as const,
        (error: unknown) => {
          this.logger.warn({ err: error }, `closing ${name} failed`);
          return 'failed' as const;
        },
      );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed-out'>((resolve) => {
      timer = setTimeout(() => resolve('timed-out'), this.config.shutdownStepTimeoutMs);
    });
    const outcome = await Promise.race([closing, timedOut]);
    clearTimeout(timer);
    if (outcome === 'closed') this.logger.log(`closed ${name} in ${Date.now() - startedAt} ms`);
    if (outcome !== 'timed-out') return;
    this.abandonedNames.push(name);
    this.logger.warn(`closing ${name} took over ${this.config.shutdownStepTimeoutMs} ms (SHUTDOWN_STEP_TIMEOUT_MS): dropping its connections and going on`);
    try {
      abandon?.();
    } catch (error) {
      this.logger.warn({ err: error }, `dropping the connections of ${name} failed`);
    }
  }
}
