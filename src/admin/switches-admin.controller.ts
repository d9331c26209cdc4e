import { Body, Delete, Get, Param, Put } from '@nestjs/common';
import { setSwitchBodySchema, type SwitchInfo, type SwitchState } from '../degradation';
import { ApiRoute, ZodValidationPipe, type ProblemSpec } from '../http';
import { AdminController } from './admin-controller.decorator';
import { switchInfoSchema, switchListSchema } from './admin.schemas';

const NO_SWITCH: ProblemSpec = { status: 404, code: 'E_SWITCH_NOT_FOUND', when: 'no feature declares a switch of this name' };
const STORE_DOWN: ProblemSpec = { status: 503, code: 'E_DEPENDENCY_UNAVAILABLE', when: 'Redis (where overrides are kept) is unreachable' };
import { SwitchAdminService, type SwitchList } from './switch-admin.service';

/** `/admin/switches`: degradation switches, their sources, and runtime overrides. */
@AdminController('switches')
export class SwitchesAdminController {
  constructor(private readonly switches: SwitchAdminService) {}

  /** Every switch (effective state, source, what each source says, essential, counters) and load shedding. */
  @Get()
  @ApiRoute({ summary: 'Every switch and the load shedding status', response: switchListSchema })
  list(): SwitchList {
    return this.switches.list();
  }

  @Get(':feature')
  @ApiRoute({ summary: 'One switch', response: switchInfoSchema, problems: [NO_SWITCH] })
  get(@Param('feature') feature: string): SwitchInfo {
    return this.switches.get(feature);
  }

  /** Sets the runtime override (`{"state": "on|off|fallback"}`), stored in Redis and applied on every instance. */
  @Put(':feature')
  @ApiRoute({ summary: 'Sets the runtime override (every instance applies it)', response: switchInfoSchema, problems: [NO_SWITCH, STORE_DOWN] })
  set(@Param('feature') feature: string, @Body(new ZodValidationPipe(setSwitchBodySchema)) body: { state: SwitchState }): Promise<SwitchInfo> {
    return this.switches.set(feature, body.state);
  }

  /** Clears the runtime override everywhere. */
  @Delete(':feature')
  @ApiRoute({ summary: 'Clears the runtime override everywhere', response: switchInfoSchema, problems: [NO_SWITCH, STORE_DOWN] })
  clear(@Param('feature') feature: string): Promise<SwitchInfo> {
    return this.switches.clear(feature);
  }
}
