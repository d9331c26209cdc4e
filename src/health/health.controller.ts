import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { InjectConfig } from '../config';
import { ApiRoute } from '../http';
import { healthConfig, type HealthConfig, StartupTracker } from '../lifecycle';
import { Criticality } from '../overload';
import { EventLoopHealthIndicator } from './event-loop.health';
import { healthCheckSchema, readinessSchema } from './health.schemas';
import { ReadinessService, readinessHttpStatus, type ReadinessReport } from './readiness.service';

/**
 * The three Kubernetes probes. Bodies are terminus' `{status, info, error,
 * details}`; a failing probe answers 503 with the same body (not a problem
 * document), so operators see every check at once.
 */
@Criticality('critical') // probes must answer while the pod refuses work
@Controller('health')
export class HealthController {
  constructor(
    @InjectConfig(healthConfig) private readonly config: HealthConfig,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly eventLoop: EventLoopHealthIndicator,
    private readonly readiness: ReadinessService,
    private readonly startup: StartupTracker,
  ) {}

  /** Liveness: the process itself (event loop responsive). Never a dependency; stays 200 while draining. */
  @Get('live')
  @ApiRoute({
    summary: 'Liveness: the event loop answers',
    response: healthCheckSchema,
    responses: { 503: { description: 'The event loop is blocked.', schema: healthCheckSchema } },
  })
  live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return answer(reply, this.health.check([() => this.eventLoop.check('eventLoop', this.config.liveMaxEventLoopDelayMs)]));
  }

  /** Readiness: this pod can serve. 503 while starting, draining, or a required dependency is down. */
  @Get('ready')
  @ApiRoute({
    summary: 'Readiness: this pod can serve',
    response: { schema: readinessSchema, description: 'Ready (`ok` or `degraded`).' },
    responses: { 503: { description: 'Not ready: starting, draining, or a required dependency is down.', schema: readinessSchema } },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.readiness.check();
    void reply.status(readinessHttpStatus(report.status));
    return report;
  }

  /** Startup: every start-up task (connections, migrations, seeding) has finished. */
  @Get('startup')
  @ApiRoute({
    summary: 'Start-up: connections, migrations and seeding are done',
    response: healthCheckSchema,
    responses: { 503: { description: 'Start-up tasks still running.', schema: healthCheckSchema } },
  })
  startupProbe(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return answer(
      reply,
      this.health.check([
        () => {
          const indicator = this.indicators.check('startup');
          const tasks = this.startup.snapshot();
          return this.startup.isComplete() ? indicator.up({ tasks }) : indicator.down({ tasks });
        },
      ]),
    );
  }
}

/** Terminus throws on a failed check; a probe wants the same body with a 503. */
async function answer(reply: FastifyReply, check: Promise<HealthCheckResult>): Promise<HealthCheckResult> {
  try {
    return await check;
  } catch (error) {
    if (!(error instanceof ServiceUnavailableException)) throw error;
    void reply.status(503);
    return error.getResponse() as HealthCheckResult;
  }
}
