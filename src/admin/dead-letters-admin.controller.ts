import { Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { ZodValidationPipe } from '../http';
import { DeadLettersService, type DeadLetter } from '../write-behind';
import { AdminController } from './admin-controller.decorator';

/** `?offset=&limit=` of the dead-letter list. */
const pageQuerySchema = z.strictObject({
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/**
 * `/admin/dead-letters`: writes PostgreSQL did not take (out of attempts, or
 * refused at once), per write-behind entity: counts, list, show, replay
 * after fixing the cause (409 when a newer write of the row exists), discard.
 */
@AdminController('dead-letters')
export class DeadLettersAdminController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  /** `{"<entity>": <count>}` for every write-behind entity. */
  @Get()
  counts(): Promise<Record<string, number>> {
    return this.deadLetters.counts();
  }

  /** The newest first. */
  @Get(':entity')
  list(@Param('entity') entity: string, @Query(new ZodValidationPipe(pageQuerySchema)) page: z.output<typeof pageQuerySchema>): Promise<DeadLetter[]> {
    return this.deadLetters.list(entity, page.offset, page.limit);
  }

  @Get(':entity/:jobId')
  show(@Param('entity') entity: string, @Param('jobId') jobId: string): Promise<DeadLetter> {
    return this.deadLetters.show(entity, jobId);
  }

  /** Queues the write again with fresh attempts; its state becomes the row's state again. */
  @Post(':entity/:jobId/replay')
  @HttpCode(200)
  replay(@Param('entity') entity: string, @Param('jobId') jobId: string): Promise<DeadLetter> {
    return this.deadLetters.replay(entity, jobId);
  }

  @Delete(':entity/:jobId')
  @HttpCode(204)
  discard(@Param('entity') entity: string, @Param('jobId') jobId: string): Promise<void> {
    return this.deadLetters.discard(entity, jobId);
  }
}
