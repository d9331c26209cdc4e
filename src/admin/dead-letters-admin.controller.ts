import { Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { ApiRoute, ZodValidationPipe, type ProblemSpec } from '../http';
import { DeadLetters, type DeadLetterView } from '../jobs';
import { AdminController } from './admin-controller.decorator';
import { deadLetterCountsSchema, deadLetterSchema } from './admin.schemas';

const NO_QUEUE: ProblemSpec = { status: 404, code: 'E_NOT_FOUND', when: 'no queue has this name' };
const NO_LETTER: ProblemSpec = { status: 404, code: 'E_NOT_FOUND', when: 'no queue has this name, or no dead letter this id' };

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
  @ApiRoute({ summary: 'Dead letters by queue', response: deadLetterCountsSchema })
  counts(): Promise<Record<string, number>> {
    return this.deadLetters.counts();
  }

  /** The newest first. */
  @Get(':queue')
  @ApiRoute({ summary: "A queue's dead letters, newest first", response: z.array(deadLetterSchema), problems: [NO_QUEUE] })
  list(@Param('queue') queue: string, @Query(new ZodValidationPipe(pageQuerySchema)) page: z.output<typeof pageQuerySchema>): Promise<DeadLetterView[]> {
    return this.deadLetters.list(queue, page.offset, page.limit);
  }

  @Get(':queue/:jobId')
  @ApiRoute({ summary: 'One dead letter', response: deadLetterSchema, problems: [NO_LETTER] })
  show(@Param('queue') queue: string, @Param('jobId') jobId: string): Promise<DeadLetterView> {
    return this.deadLetters.show(queue, jobId);
  }

  /** Queues the job again with fresh attempts (a write: its state becomes the row's state again). */
  @Post(':queue/:jobId/replay')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Queues a dead letter again with fresh attempts',
    response: deadLetterSchema,
    problems: [
      NO_LETTER,
      {
        status: 409,
        code: 'E_DEAD_LETTER_CONFLICT',
        when: "a newer write of the same row (or another row's unique value) has overtaken it: discard it instead",
      },
      { status: 503, code: 'E_DEPENDENCY_UNAVAILABLE', when: 'the queue could not take it' },
    ],
  })
  replay(@Param('queue') queue: string, @Param('jobId') jobId: string): Promise<DeadLetterView> {
    return this.deadLetters.replay(queue, jobId);
  }

  @Delete(':queue/:jobId')
  @HttpCode(204)
  @ApiRoute({ summary: 'Drops a dead letter for good', problems: [NO_LETTER] })
  discard(@Param('queue') queue: string, @Param('jobId') jobId: string): Promise<void> {
    return this.deadLetters.discard(queue, jobId);
  }
}
