import { Injectable } from '@nestjs/common';
import type { JobQueueEntry } from './job-queue.entry';
import { DuplicateJobQueueError } from './jobs.errors';

/** Every job queue of this process, by name: workers, metrics, readiness and dead letters read them here. */
@Injectable()
export class JobsRegistry {
  private readonly entries = new Map<string, JobQueueEntry>();

  register(entry: JobQueueEntry): void {
    if (this.entries.has(entry.name)) throw new DuplicateJobQueueError(entry.name);
    this.entries.set(entry.name, entry);
  }

  get(name: string): JobQueueEntry | undefined {
    return this.entries.get(name);
  }

  all(): JobQueueEntry[] {
    return [...this.entries.values()];
  }
}
