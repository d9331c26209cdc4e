/** Feature switches, fallbacks and load shedding: what features and other kit folders may use. */
export { Degradable } from './degradable.decorator';
export type { DegradableRoute } from './degradable.decorator';
export { degradationConfig } from './degradation.config';
export { DEGRADABLE_ROUTE } from './degradation.constants';
export { SwitchNotFoundError } from './degradation.errors';
export { DegradationInterceptor } from './degradation.interceptor';
export { DegradationModule } from './degradation.module';
export { setSwitchBodySchema } from './degradation.schemas';
export { SWITCH_STATES } from './degradation.types';
export type { DegradationFallback, FallbackContext, SheddingStatus, SwitchInfo, SwitchState } from './degradation.types';
export { FeatureSwitches } from './feature-switches.service';
export { InFlightCounter } from './in-flight.counter';
export { SwitchOverrideStore } from './switch-override.store';
