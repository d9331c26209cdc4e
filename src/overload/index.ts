/** Overload protection: an adaptive concurrency limit and admission by criticality, in front of Fastify. */
export { CRITICALITIES } from './admission';
export type { Criticality as CriticalityLevel } from './admission';
export { Criticality } from './criticality.decorator';
export { overloadConfig } from './overload.config';
export type { OverloadConfig } from './overload.config';
export { OverloadedError } from './overload.errors';
export { OverloadProtection } from './overload-protection';
export type { OverloadSnapshot } from './overload-protection';
export { OverloadModule } from './overload.module';
