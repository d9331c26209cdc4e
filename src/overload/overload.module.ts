import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { OverloadProtection } from './overload-protection';

/** Overload protection (see {@link OverloadProtection}); `createApp` puts it in front of Fastify. Needs `DegradationModule`. */
@Global()
@Module({ imports: [DiscoveryModule], providers: [OverloadProtection], exports: [OverloadProtection] })
export class OverloadModule {}
