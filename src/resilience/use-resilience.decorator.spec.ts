import { Controller, Get, Logger, Module } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ProblemDetailsFilter } from '../http';
import { ResilienceModule, InjectPolicy } from './resilience.module';
import type { ResiliencePolicy } from './resilience.policy';
import { ResilienceRegistry } from './resilience.registry';
import { PolicySignal, UseResilience } from './use-resilience.decorator';

class Flaky extends Error {
  readonly retryable = true;
}

const calls = { flaky: 0, slow: [] as AbortSignal[] };

@Controller()
class DemoController {
  constructor(@InjectPolicy('demo') readonly policy: ResiliencePolicy) {}

  @Get('flaky')
  @UseResilience('demo')
  flaky(): { attempt: number } {
    calls.flaky++;
    if (calls.flaky === 1) throw new Flaky('first attempt fails');
    return { attempt: calls.flaky };
  }

  @Get('slow')
  @UseResilience('demo')
  slow(@PolicySignal() signal: AbortSignal): Promise<never> {
    calls.slow.push(signal);
    return new Promise(() => undefined);
  }
}

@Module({ providers: [{ provide: 'DEMO_TIMEOUT', useValue: 50 }], exports: ['DEMO_TIMEOUT'] })
class DemoConfigModule {}

@Module({
  imports: [
    ResilienceModule.forFeature({
      name: 'demo',
      imports: [DemoConfigModule],
      inject: ['DEMO_TIMEOUT'],
      useFactory: (timeoutMs: number) => ({ timeoutMs, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 }, breaker: { minimumCalls: 100 } }),
    }),
  ],
  controllers: [DemoController],
})
class DemoModule {}

@Module({ imports: [ResilienceModule.forRoot({ defaults: { bulkhead: { maxConcurrent: 4 } } }), DemoModule] })
class RootModule {}

describe('@UseResilience / forFeature', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    const moduleRef = await Test.createTestingModule({ imports: [RootModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalFilters(new ProblemDetailsFilter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    Logger.overrideLogger(['log', 'error', 'warn']);
  });

  it('registers the policy in the registry with the feature layer over the module layer', () => {
    const [summary] = app.get(ResilienceRegistry).list();
    expect(summary).toMatchObject({ name: 'demo', state: 'closed', options: { timeoutMs: 50, bulkhead: { maxConcurrent: 4, maxQueue: 10 } } });
    expect(app.get(DemoController).policy).toBe(app.get(ResilienceRegistry).get('demo'));
  });

  it('retries the handler on a retryable error', async () => {
    const res = await app.inject({ method: 'GET', url: '/flaky' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ attempt: 2 });
    expect(app.get(ResilienceRegistry).get('demo').stats().retries).toBe(1);
  });

  it("times the handler out: 503 E_TIMEOUT with Retry-After, and the handler's signal is aborted", async () => {
    const res = await app.inject({ method: 'GET', url: '/slow' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ code: 'E_TIMEOUT', status: 503 });
    expect(calls.slow).toHaveLength(1);
    expect(calls.slow[0].aborted).toBe(true);
  });

  it('forceState open: 503 E_BREAKER_OPEN at once, without running the handler', async () => {
    const registry = app.get(ResilienceRegistry);
    const before = calls.flaky;
    expect(registry.forceState('demo', 'open')).toMatchObject({ state: 'open', forced: 'open' });
    const res = await app.inject({ method: 'GET', url: '/flaky' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'E_BREAKER_OPEN' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(calls.flaky).toBe(before);
    registry.forceState('demo', 'auto');
  });

  it('an unknown policy name is a clear wiring error', () => {
    expect(() => app.get(ResilienceRegistry).get('nope')).toThrow(/No resilience policy "nope" \(registered: demo\)/);
    expect(() => app.get(ResilienceRegistry).register('demo')).toThrow(/registered twice/);
  });
});
