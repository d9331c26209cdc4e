import { Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { ZodValidationPipe } from '../http';
import { DeadLetters, type DeadLetterView } from '../jobs';
import { AdminController } from './admin-controller.decorator';

/** `?offset=&limit=` of the dead-letter list. */
const pageQuerySchema = z.strictObject({
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/**
 * `/admin/dead-letters`: one API for the dead letters of every queue, by
 * name: write-behind entities (writes PostgreSQL did not take: out of
 * attempts, or refused at once; a replay answers 409 when a newer write of
 * the row exists) and job queues (jobs out of attempts, or unrecoverable):
 * counts, list, show, replay after fixing the cause, discard.
 */
@AdminController('dead-letters')
export class DeadLettersAdminController {
  constructor(private readonly deadLetters: DeadLetters) {}

  /** `{"<queue>": <count>}` for every write-behind entity and job queue. */
  @Get()
  counts(): Promise<Record<string, number>> {
    return this.deadLetters.counts();
  }

  /** The newest first. */
  @Get(':queue')
  list(@Param('queue') queue: string, @Query(new ZodValidationPipe(pageQuerySchema)) page: z.output<typeof pageQuerySchema>): Promise<DeadLetterView[]> {
    return this.deadLetters.list(queue, page.offset, page.limit);
  }

  @Get(':queue/:jobId')
  show(@Param('queue') queue: string, @Param('jobId') jobId: string): Promise<DeadLetterView> {
    return this.deadLetters.show(queue, jobId);
  }

  /** Queues the job again with fresh attempts (a write: its state becomes the row's state again). */
  @Post(':queue/:jobId/replay')
  @HttpCode(200)
  replay(@Param('queue') queue: string, @Param('jobId') jobId: string): Promise<DeadLetterView> {
    return this.deadLetters.replay(queue, jobId);
  }

  @Delete(':queue/:jobId')
  @HttpCode(204)
  discard(@Param('queue') queue: string, @Param('jobId') jobId: string): Promise<void> {
    return this.deadLetters.discard(queue, jobId);
  }
}
