/** Start-up, readiness details, shutdown and the HTTP drain, plus the errors that stop a boot. */
export { installShutdownHandlers } from './graceful-shutdown';
export { healthConfig } from './health.config';
export type { HealthConfig, ReadinessDependency } from './health.config';
export { HttpDrain } from './http-drain';
export { ShuttingDownError } from './lifecycle.errors';
export { LifecycleModule } from './lifecycle.module';
export { ReadinessDetails } from './readiness.details';
export { ShutdownSequence } from './shutdown.sequence';
export { StartupTracker } from './startup.tracker';
export { WiringError } from './wiring.error';
export { TimeoutError, withTimeout } from './with-timeout';
