import type { HealthIndicatorResult } from '@nestjs/terminus';
import { type HealthConfig, type ReadinessDependency, ReadinessDetails, ShutdownSequence, StartupTracker } from '../lifecycle';
import type { PostgresHealthIndicator } from '../database';
import type { RedisHealthIndicator } from '../redis';
import { ReadinessService, readinessHttpStatus } from './readiness.service';

describe('ReadinessService', () => {
  function indicator(up: boolean) {
    return {
      check: async (key: string): Promise<HealthIndicatorResult> => ({ [key]: { status: up ? 'up' : 'down' } }),
    };
  }

  function service(options: { postgres: boolean; redis: boolean; requires: ReadinessDependency[]; details?: ReadinessDetails }) {
    const shutdown = new ShutdownSequence({ shutdownStepTimeoutMs: 1000 });
    const startup = new StartupTracker();
    const readiness = new ReadinessService(
      { readyRequires: options.requires, checkTimeoutMs: 100 } as HealthConfig,
      indicator(options.postgres) as unknown as PostgresHealthIndicator,
      indicator(options.redis) as unknown as RedisHealthIndicator,
      startup,
      shutdown,
      options.details ?? new ReadinessDetails(),
    );
    return { readiness, shutdown, startup };
  }

  it('is ok with every dependency up', async () => {
    const report = await service({ postgres: true, redis: true, requires: ['postgres'] }).readiness.check();
    expect(report.status).toBe('ok');
    expect(report.details).toEqual({ postgres: { status: 'up', required: true }, redis: { status: 'up', required: false } });
  });

  it('is degraded, still serving, when only an optional dependency is down', async () => {
    const report = await service({ postgres: true, redis: false, requires: ['postgres'] }).readiness.check();
    expect(report.status).toBe('degraded');
    expect(report.error).toEqual({ redis: { status: 'down', required: false } });
    expect(readinessHttpStatus(report.status)).toBe(200);
  });

  it('fails when a required dependency is down', async () => {
    const report = await service({ postgres: false, redis: true, requires: ['postgres'] }).readiness.check();
    expect(report.status).toBe('error');
    expect(readinessHttpStatus(report.status)).toBe(503);
  });

  it('fails while a start-up task is pending', async () => {
    const { readiness, startup } = service({ postgres: true, redis: true, requires: [] });
    startup.track('migrations', new Promise(() => undefined));
    const report = await readiness.check();
    expect(report.status).toBe('error');
    expect(report.error['startup']).toMatchObject({ status: 'down', tasks: { migrations: { status: 'pending' } } });
  });

  it('reports shutting_down (503) once draining, whatever the dependencies say', async () => {
    const { readiness, shutdown } = service({ postgres: true, redis: true, requires: [] });
    shutdown.beginDrain();
    const report = await readiness.check();
    expect(report.status).toBe('shutting_down');
    expect(readinessHttpStatus(report.status)).toBe(503);
  });

  it('shows registered details (e.g. queue lag) without letting them change the status', async () => {
    const details = new ReadinessDetails();
    details.register('writeBehind', async () => ({ products: { queueDepth: 50_000, oldestWaitingAgeMs: 600_000 } }));
    details.register('broken', async () => {
      throw new Error('Redis down');
    });
    const report = await service({ postgres: true, redis: true, requires: [], details }).readiness.check();
    expect(report.status).toBe('ok');
    expect(report.details['writeBehind']).toEqual({ status: 'up', products: { queueDepth: 50_000, oldestWaitingAgeMs: 600_000 } });
    expect(report.details['broken']).toEqual({ status: 'unknown', message: 'Redis down' });
  });
});
