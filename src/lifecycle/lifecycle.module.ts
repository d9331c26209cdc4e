import { Global, Module } from '@nestjs/common';
import { ReadinessDetails } from './readiness.details';
import { ShutdownSequence } from './shutdown.sequence';
import { StartupTracker } from './startup.tracker';

/**
 * Start-up tracking and the shutdown sequence, global so that every kit module
 * and feature can register with them without importing the health endpoints.
 */
@Global()
@Module({ providers: [StartupTracker, ShutdownSequence, ReadinessDetails], exports: [StartupTracker, ShutdownSequence, ReadinessDetails] })
export class LifecycleModule {}
