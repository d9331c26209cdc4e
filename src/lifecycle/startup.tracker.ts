import { Injectable, Logger } from '@nestjs/common';

/** State of one start-up task, as `/health/startup` reports it. */
export type StartupTaskState =
  | { readonly status: 'pending'; readonly sinceMs: number }
  | { readonly status: 'done'; readonly tookMs: number }
  | { readonly status: 'failed'; readonly error: string };

/**
 * Start-up tasks the pod must finish before it takes traffic (connections,
 * migrations, seeding). Kit modules and features `track()` a promise; the
 * startup probe turns 200 once every tracked task is done.
 */
@Injectable()
export class StartupTracker {
  private readonly logger = new Logger('Startup');
  private readonly tasks = new Map<string, StartupTaskState>();

  /** Records `task` under `name`; a failure is reported, not thrown. */
  track(name: string, task: Promise<unknown>): void {
    if (this.tasks.has(name)) {
      throw new Error(`Startup task "${name}" is tracked twice: give each task its own name.`);
    }
    const startedAt = Date.now();
    this.tasks.set(name, { status: 'pending', sinceMs: startedAt });
    task.then(
      () => {
        this.tasks.set(name, { status: 'done', tookMs: Date.now() - startedAt });
        this.logger.log(`startup task "${name}" done in ${Date.now() - startedAt} ms`);
      },
      (error: unknown) => {
        this.tasks.set(name, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
        this.logger.error({ err: error }, `startup task "${name}" failed`);
      },
    );
  }

  /** True once every tracked task is done. */
  isComplete(): boolean {
    for (const state of this.tasks.values()) if (state.status !== 'done') return false;
    return true;
  }

  /** Every task with its state, for the probe's details. */
  snapshot(): Record<string, StartupTaskState> {
    return Object.fromEntries(this.tasks);
  }
}
