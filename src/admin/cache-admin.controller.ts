import { Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { CacheService } from '../cache';
import { ApiRoute, ZodValidationPipe } from '../http';
import { AdminController } from './admin-controller.decorator';
import { hotKeysSchema } from './admin.schemas';

const hotKeysQuerySchema = z.strictObject({
  limit: z.coerce.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).min(1).max(1000).optional(),
});

/** `/admin/cache`: what the cache sees. */
@AdminController('cache')
export class CacheAdminController {
  constructor(private readonly cache: CacheService) {}

  /** The most requested keys of the last window (`?limit=`, 1-1000; default: the tracker's hot-key count). */
  @Get('hot-keys')
  @ApiRoute({ summary: 'The most requested cache keys of the last window', response: hotKeysSchema })
  hotKeys(@Query(new ZodValidationPipe(hotKeysQuerySchema)) query: { limit?: number }): { keys: Array<{ key: string; estimatedHits: number }> } {
    return { keys: this.cache.hotKeys(query.limit) };
  }
}
