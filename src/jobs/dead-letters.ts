import { Injectable } from '@nestjs/common';
import type { DeadLetterSource, DeadLetterView } from './dead-letters.types';
import { DuplicateJobQueueError, JobDeadLetterNotFoundError } from './jobs.errors';

/**
 * The one dead-letter service of every queue of the app: write-behind
 * entities and job queues each register a {@link DeadLetterSource}; this
 * finds the source of a queue by name. The admin API calls it.
 */
@Injectable()
export class DeadLetters {
  private readonly sources: DeadLetterSource[] = [];

  /** Adds a source; a queue name held by two sources fails the boot. */
  addSource(source: DeadLetterSource): void {
    const taken = new Set(this.sources.flatMap((s) => s.queues()));
    const clash = source.queues().find((queue) => taken.has(queue));
    if (clash !== undefined) throw new DuplicateJobQueueError(clash);
    this.sources.push(source);
  }

  /** Dead letters per queue, every queue of every source. */
  async counts(): Promise<Record<string, number>> {
    const entries = await Promise.all(this.sources.flatMap((source) => source.queues().map(async (queue) => [queue, await source.count(queue)] as const)));
    return Object.fromEntries(entries);
  }

  list(queue: string, offset = 0, limit = 50): Promise<DeadLetterView[]> {
    return this.source(queue).list(queue, offset, limit);
  }

  show(queue: string, jobId: string): Promise<DeadLetterView> {
    return this.source(queue).show(queue, jobId);
  }

  replay(queue: string, jobId: string): Promise<DeadLetterView> {
    return this.source(queue).replay(queue, jobId);
  }

  discard(queue: string, jobId: string): Promise<void> {
    return this.source(queue).discard(queue, jobId);
  }

  private source(queue: string): DeadLetterSource {
    const source = this.sources.find((s) => s.queues().includes(queue));
    if (!source) throw new JobDeadLetterNotFoundError(queue, '*');
    return source;
  }
}
