import { Injectable } from '@nestjs/common';
import { SwitchNotFoundError, type SheddingStatus, type SwitchInfo, type SwitchState, FeatureSwitches, SwitchOverrideStore } from '../degradation';

/** `GET /admin/switches`: every switch and the load shedding status. */
export interface SwitchList {
  readonly switches: readonly SwitchInfo[];
  readonly shedding: SheddingStatus;
}

/** What the admin API does with switches: read them, set and clear runtime overrides. */
@Injectable()
export class SwitchAdminService {
  constructor(
    private readonly switches: FeatureSwitches,
    private readonly overrides: SwitchOverrideStore,
  ) {}

  list(): SwitchList {
    return this.switches.stats();
  }

  get(feature: string): SwitchInfo {
    const info = this.switches.info(feature);
    if (!info) throw new SwitchNotFoundError(feature);
    return info;
  }

  /** Stores the override in Redis (every instance applies it within a round trip) and returns the switch. */
  async set(feature: string, state: SwitchState): Promise<SwitchInfo> {
    this.get(feature);
    await this.overrides.set(feature, state);
    return this.get(feature);
  }

  /** Removes the override everywhere; the file, env or default decide again. */
  async clear(feature: string): Promise<SwitchInfo> {
    this.get(feature);
    await this.overrides.clear(feature);
    return this.get(feature);
  }
}
