import { Body, Get, Param, Put } from '@nestjs/common';
import { z } from 'zod';
import { ApiRoute, ZodValidationPipe } from '../http';
import { ResilienceRegistry, type PolicySummary, type ForcedBreakerState, type PolicyStats } from '../resilience';
import { AdminController } from './admin-controller.decorator';
import { PolicyNotFoundError } from './admin.errors';
import { policyStatsSchema, policySummarySchema } from './admin.schemas';

const POLICY_NOT_FOUND = { status: 404, code: 'E_POLICY_NOT_FOUND', when: 'no resilience policy has this name' };

/** Body of `PUT /admin/breakers/:name`. */
const forceBreakerBodySchema = z.strictObject({ state: z.enum(['open', 'closed', 'auto']) });

/**
 * `/admin/breakers`: every resilience policy with its breaker state, counters
 * and options, and forcing a breaker open or closed (or back to `auto`). A
 * forced state holds in this process only, until set to `auto` or restart.
 */
@AdminController('breakers')
export class BreakersAdminController {
  constructor(private readonly registry: ResilienceRegistry) {}

  @Get()
  @ApiRoute({ summary: 'Every resilience policy: breaker state, counters, options', response: z.array(policySummarySchema) })
  list(): PolicySummary[] {
    return this.registry.list();
  }

  @Get(':name')
  @ApiRoute({ summary: 'One resilience policy', response: policySummarySchema, problems: [POLICY_NOT_FOUND] })
  get(@Param('name') name: string): PolicySummary {
    const policy = this.registry.list().find((summary) => summary.name === name);
    if (!policy) throw new PolicyNotFoundError(name);
    return policy;
  }

  /** `{"state": "open" | "closed" | "auto"}`: `auto` hands the breaker back to its window, closed and empty. */
  @Put(':name')
  @ApiRoute({ summary: 'Forces a breaker open or closed, or back to auto (this process only)', response: policyStatsSchema, problems: [POLICY_NOT_FOUND] })
  force(@Param('name') name: string, @Body(new ZodValidationPipe(forceBreakerBodySchema)) body: { state: ForcedBreakerState }): PolicyStats {
    if (!this.registry.has(name)) throw new PolicyNotFoundError(name);
    return this.registry.forceState(name, body.state);
  }
}
