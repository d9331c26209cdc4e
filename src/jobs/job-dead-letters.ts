import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { DeadLetterSource, DeadLetterView } from './dead-letters.types';
import type { JobQueueEntry } from './job-queue.entry';
import { JobDeadLetterNotFoundError } from './jobs.errors';
import { JobsRegistry } from './jobs.registry';

/** A job out of attempts (or failed at once as unrecoverable), as operators see it. */
export interface JobDeadLetter extends DeadLetterView {
  readonly queue: string;
  /** The job's name and payload as its producer added them. */
  readonly name: string;
  readonly data: unknown;
}

/**
 * The dead letters of the job queues: BullMQ's failed set of each queue (at
 * most `JOBS_KEEP_DEAD_LETTERS`). A replay moves the job back to wait with
 * its attempts reset, same id (so the receiver's idempotency key is the same).
 */
@Injectable()
export class JobDeadLetters implements DeadLetterSource {
  constructor(private readonly registry: JobsRegistry) {}

  queues(): string[] {
    return this.registry.all().map((entry) => entry.name);
  }

  count(queue: string): Promise<number> {
    return this.entry(queue).queue.getFailedCount();
  }

  async list(queue: string, offset: number, limit: number): Promise<JobDeadLetter[]> {
    const jobs = await this.entry(queue).queue.getFailed(offset, offset + limit - 1);
    return jobs.filter(Boolean).map((job) => toDeadLetter(queue, job));
  }

  async show(queue: string, jobId: string): Promise<JobDeadLetter> {
    return toDeadLetter(queue, await this.failedJob(queue, jobId));
  }

  async replay(queue: string, jobId: string): Promise<JobDeadLetter> {
    const job = await this.failedJob(queue, jobId);
    const letter = toDeadLetter(queue, job);
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return letter;
  }

  async discard(queue: string, jobId: string): Promise<void> {
    await (await this.failedJob(queue, jobId)).remove();
  }

  private entry(queue: string): JobQueueEntry {
    const entry = this.registry.get(queue);
    if (!entry) throw new JobDeadLetterNotFoundError(queue, '*');
    return entry;
  }

  private async failedJob(queue: string, jobId: string): Promise<Job> {
    const job = await this.entry(queue).queue.getJob(jobId);
    if (!job || !(await job.isFailed())) throw new JobDeadLetterNotFoundError(queue, jobId);
    return job;
  }
}

function toDeadLetter(queue: string, job: Job): JobDeadLetter {
  const [code, ...rest] = (job.failedReason ?? '').split(': ');
  const coded = rest.length > 0 && /^E_[A-Z0-9_]+$|^HTTP_\d{3}$/.test(code);
  return {
    queue,
    jobId: job.id!,
    name: job.name,
    data: job.data as unknown,
    reason: coded ? { code, message: rest.join(': ') } : { code: 'E_JOB_FAILED', message: job.failedReason ?? '' },
    attempts: job.attemptsMade,
    enqueuedAt: new Date(job.timestamp).toISOString(),
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}
