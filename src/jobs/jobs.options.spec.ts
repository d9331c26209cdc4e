import { resolveQueueOptions } from './jobs.options';
import type { JobsConfig } from './jobs.config';

const config: JobsConfig = {
  attempts: 5,
  backoff: { baseMs: 1000, capMs: 60_000 },
  concurrency: 4,
  retryBudgetRatio: 0.2,
  lockDurationMs: 30_000,
  enqueueTimeoutMs: 1000,
  keepCompletedS: 3600,
  keepDeadLetters: 10_000,
};

describe('resolveQueueOptions', () => {
  it('the kit defaults, under the feature layer field by field', () => {
    expect(resolveQueueOptions(config, { name: 'mail' })).toMatchObject({
      attempts: 5,
      backoff: { baseMs: 1000, capMs: 60_000 },
      concurrency: 4,
      retryBudgetRatio: 0.2,
      lockDurationMs: 30_000,
    });
    expect(resolveQueueOptions(config, { name: 'mail', attempts: 2, backoff: { baseMs: 10 } })).toMatchObject({
      attempts: 2,
      backoff: { baseMs: 10, capMs: 60_000 },
    });
    // A cap under the base is the base.
    expect(resolveQueueOptions(config, { name: 'mail', backoff: { baseMs: 5000, capMs: 100 } }).backoff).toEqual({ baseMs: 5000, capMs: 5000 });
  });

  it('lists every bad option in one error', () => {
    expect(() => resolveQueueOptions(config, { name: 'a b', attempts: 0, concurrency: 1.5 })).toThrow(/name must be.*attempts must be.*concurrency must be/);
  });
});
