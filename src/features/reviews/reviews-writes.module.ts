import { Module } from '@nestjs/common';
import { WriteBehindModule } from '../../write-behind';
import { REVIEWS_ENTITY } from './reviews.constants';
import { ReviewWriteRepository } from './review-write.repository';

const writes = WriteBehindModule.forFeature({ entity: REVIEWS_ENTITY, store: ReviewWriteRepository });

/**
 * The write path of reviews on the write-behind kit: its producer (for the
 * API) and its workers (APP_ROLE worker|all). `ReviewsModule` imports it,
 * and a worker process loads it alone (`AppModule.workerFeatures`).
 */
@Module({ imports: [writes], exports: [writes] })
export class ReviewsWritesModule {}
