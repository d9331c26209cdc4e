import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventLoopHealthIndicator } from './event-loop.health';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';

/**
 * `/health/live`, `/health/ready` and `/health/startup`. Needs the global
 * `LifecycleModule`, `DatabaseModule` and `RedisModule`.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [EventLoopHealthIndicator, ReadinessService],
})
export class HealthModule {}
