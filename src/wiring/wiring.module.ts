import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WiringCheck } from './wiring.check';

/**
 * The boot-time wiring check ({@link WiringCheck}); `createApp` runs it. Needs `DegradationModule`
 * and `ResilienceModule` (both global).
 */
@Module({ imports: [DiscoveryModule], providers: [WiringCheck], exports: [WiringCheck] })
export class WiringModule {}
