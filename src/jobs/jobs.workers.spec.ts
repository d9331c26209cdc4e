import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { loadConfig } from '../config';
import { redisConfig } from '../redis';
import { JobQueueEntry } from './job-queue.entry';
import { BULL_WORKER_METADATA, JOB_BACKOFF_TYPE } from './jobs.constants';
import { JobsRegistry } from './jobs.registry';
import { JobsWorkers } from './jobs.workers';

@Processor('mail', { concurrency: 9 })
class MailProcessor extends WorkerHost {
  process(): Promise<void> {
    return Promise.resolve();
  }
}

@Processor('typo')
class TypoProcessor extends WorkerHost {
  process(): Promise<void> {
    return Promise.resolve();
  }
}

const REDIS = loadConfig([redisConfig], { REDIS_KEY_PREFIX: 'x:', REDIS_CONNECT_TIMEOUT_MS: '100', REDIS_RETRY_MAX_DELAY_MS: '100' }).get(redisConfig);
const entry = () =>
  new JobQueueEntry({} as Queue, {
    name: 'mail',
    attempts: 3,
    backoff: { baseMs: 100, capMs: 1000 },
    concurrency: 2,
    retryBudgetRatio: 0.2,
    lockDurationMs: 4000,
    isUnrecoverable: () => false,
  });

function workers(role: 'api' | 'worker' | 'all', hosts: WorkerHost[], onRegister: () => void) {
  const registry = new JobsRegistry();
  registry.register(entry());
  const discovery = { getProviders: () => hosts.map((instance) => ({ instance })) };
  const registrar = { register: jest.fn(onRegister) };
  const shutdown = { register: jest.fn() };
  const jobs = new JobsWorkers(
    registry,
    discovery as never,
    registrar as never,
    shutdown as never,
    { role } as never,
    REDIS,
    {
      shutdownStepTimeoutMs: 100,
    } as never,
    {} as never,
  );
  return { jobs, registrar, registry };
}

describe('JobsWorkers', () => {
  it('in APP_ROLE api builds no worker', () => {
    const { jobs, registrar } = workers('api', [new MailProcessor()], () => undefined);
    jobs.onApplicationBootstrap();
    expect(registrar.register).not.toHaveBeenCalled();
  });

  it("gives the explorer the kit's worker options under the processor's own, then puts the processor's back", () => {
    const host = new MailProcessor();
    let seen: Record<string, unknown> = {};
    const { jobs, registry } = workers('worker', [host], () => {
      seen = Reflect.getMetadata(BULL_WORKER_METADATA, MailProcessor) as Record<string, unknown>;
      Object.assign(host, { _worker: { on: jest.fn() } });
    });
    jobs.onApplicationBootstrap();
    expect(seen).toMatchObject({ concurrency: 9, lockDuration: 4000, stalledInterval: 1000, connection: { url: REDIS.url, maxRetriesPerRequest: null } });
    const strategy = (seen.settings as { backoffStrategy: (n: number, type: string, e: Error, job: { id: string }) => number }).backoffStrategy;
    const delay = strategy(2, JOB_BACKOFF_TYPE, new Error('x'), { id: 'j1' });
    expect(delay).toBeGreaterThanOrEqual(100);
    expect(delay).toBeLessThanOrEqual(200);
    expect(registry.get('mail')!.retrying.has('j1')).toBe(true);
    expect(Reflect.getMetadata(BULL_WORKER_METADATA, MailProcessor)).toEqual({ concurrency: 9 });
  });

  it('a processor of a queue nobody registered fails the boot, naming it', () => {
    const { jobs } = workers('all', [new TypoProcessor()], () => undefined);
    expect(() => jobs.onApplicationBootstrap()).toThrow(/TypoProcessor processes queue "typo", which no JobsModule.forFeature\(\{ name: 'typo' \}\) registers/);
  });
});
