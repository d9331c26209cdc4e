import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';

/**
 * Phases of shutdown, in the order they run once the HTTP server has closed
 * (Nest closes HTTP itself before `onApplicationShutdown`).
 */
export const SHUTDOWN_PHASES = ['queues', 'redis', 'database'] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

interface Closer {
  readonly name: string;
  readonly close: () => Promise<unknown>;
}

/**
 * Closes the app's connections in a fixed order: queues (which may still write
 * to Redis and PostgreSQL), then Redis, then PostgreSQL. Modules register a
 * closer for their phase instead of each closing in their own hook, whose
 * order across modules Nest does not promise.
 */
@Injectable()
export class ShutdownSequence implements OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private readonly closers = new Map<ShutdownPhase, Closer[]>(SHUTDOWN_PHASES.map((phase) => [phase, []]));
  private draining = false;

  /** Adds a closer to `phase`; closers of one phase run in parallel. */
  register(phase: ShutdownPhase, name: string, close: () => Promise<unknown>): void {
    this.closers.get(phase)!.push({ name, close });
  }

  /** Marks the pod as draining: readiness answers 503 from now on. */
  beginDrain(): void {
    this.draining = true;
  }

  /** True once a shutdown signal has been received. */
  isDraining(): boolean {
    return this.draining;
  }

  async onApplicationShutdown(): Promise<void> {
    this.draining = true;
    for (const phase of SHUTDOWN_PHASES) {
      await Promise.all(
        this.closers.get(phase)!.map(async ({ name, close }) => {
          const startedAt = Date.now();
          try {
            await close();
            this.logger.log(`closed ${name} in ${Date.now() - startedAt} ms`);
          } catch (error) {
            this.logger.warn({ err: error }, `closing ${name} failed`);
          }
        }),
      );
    }
  }
}
