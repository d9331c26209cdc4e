import { Body, Get, Put } from '@nestjs/common';
import { z } from 'zod';
import { ApiRoute, ZodValidationPipe } from '../http';
import { OverloadProtection, type OverloadSnapshot } from '../overload';
import { AdminController } from './admin-controller.decorator';
import { overloadSnapshotSchema } from './admin.schemas';

/** Body of `PUT /admin/overload`: `limit` pins it (`null` gives it back to the estimate), `enabled` turns the limiter on or off. */
const overloadBodySchema = z
  .strictObject({
    limit: z.number({ error: 'must be a whole number or null' }).int({ error: 'must be a whole number or null' }).min(1).max(1_000_000).nullable().optional(),
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .refine((body) => body.limit !== undefined || body.enabled !== undefined, { error: 'give limit, enabled or both' });

/**
 * `/admin/overload`: the limiter's state (limit, in flight, queue, admissions and refusals by
 * criticality, the no-load latency), pinning the limit and turning the limiter on or off. Both
 * hold in this process only, until changed again or restart.
 */
@AdminController('overload')
export class OverloadAdminController {
  constructor(private readonly overload: OverloadProtection) {}

  @Get()
  @ApiRoute({ summary: "The overload limiter's state", response: overloadSnapshotSchema })
  state(): OverloadSnapshot {
    return this.overload.snapshot();
  }

  @Put()
  @ApiRoute({ summary: 'Pins the limit (null: back to the estimate) and/or turns the limiter on or off (this process only)', response: overloadSnapshotSchema })
  set(@Body(new ZodValidationPipe(overloadBodySchema)) body: { limit?: number | null; enabled?: boolean }): OverloadSnapshot {
    if (body.limit !== undefined) this.overload.admission.pin(body.limit ?? undefined);
    if (body.enabled !== undefined) this.overload.admission.setEnabled(body.enabled);
    return this.overload.snapshot();
  }
}
