import { Body, Delete, Get, Param, Put } from '@nestjs/common';
import { setSwitchBodySchema, type SwitchInfo, type SwitchState } from '../degradation';
import { ZodValidationPipe } from '../http';
import { AdminController } from './admin-controller.decorator';
import { SwitchAdminService, type SwitchList } from './switch-admin.service';

/** `/admin/switches`: degradation switches, their sources, and runtime overrides. */
@AdminController('switches')
export class SwitchesAdminController {
  constructor(private readonly switches: SwitchAdminService) {}

  /** Every switch (effective state, source, what each source says, essential, counters) and load shedding. */
  @Get()
  list(): SwitchList {
    return this.switches.list();
  }

  @Get(':feature')
  get(@Param('feature') feature: string): SwitchInfo {
    return this.switches.get(feature);
  }

  /** Sets the runtime override (`{"state": "on|off|fallback"}`), stored in Redis and applied on every instance. */
  @Put(':feature')
  set(@Param('feature') feature: string, @Body(new ZodValidationPipe(setSwitchBodySchema)) body: { state: SwitchState }): Promise<SwitchInfo> {
    return this.switches.set(feature, body.state);
  }

  /** Clears the runtime override everywhere. */
  @Delete(':feature')
  clear(@Param('feature') feature: string): Promise<SwitchInfo> {
    return this.switches.clear(feature);
  }
}
