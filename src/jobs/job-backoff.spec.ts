import { UnrecoverableError } from 'bullmq';
import { RetryBudget } from '../resilience';
import { jobBackoffStrategy, NO_RETRY } from './job-backoff';
import { JOB_BACKOFF_TYPE } from './jobs.constants';

describe('jobBackoffStrategy', () => {
  const strategy = (random: () => number, isUnrecoverable = (_: Error) => false) => jobBackoffStrategy({ baseMs: 100, capMs: 1000, isUnrecoverable, random });

  it('grows by equal jitter: after n attempts, a delay in [c/2, c] with c = min(cap, base × 2^(n-1))', () => {
    const low = strategy(() => 0);
    const high = strategy(() => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map((n) => low(n, JOB_BACKOFF_TYPE, new Error('x')))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((n) => high(n, JOB_BACKOFF_TYPE, new Error('x')))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('the lowest delay of a retry is the highest of the one before: spaced, never a burst', () => {
    const s = strategy(Math.random);
    for (let n = 1; n < 4; n++) expect(s(n + 1, JOB_BACKOFF_TYPE)).toBeGreaterThanOrEqual(100 * 2 ** (n - 1));
  });

  it('unrecoverable errors (BullMQ, by name, or the hook) and foreign types are not retried', () => {
    const s = strategy(
      () => 0.5,
      (error) => error.message === 'bad request',
    );
    expect(s(1, JOB_BACKOFF_TYPE, new UnrecoverableError('no'))).toBe(NO_RETRY);
    expect(s(1, JOB_BACKOFF_TYPE, Object.assign(new Error('no'), { name: 'UnrecoverableError' }))).toBe(NO_RETRY);
    expect(s(1, JOB_BACKOFF_TYPE, new Error('bad request'))).toBe(NO_RETRY);
    expect(s(1, 'other', new Error('x'))).toBe(NO_RETRY);
    expect(s(1, JOB_BACKOFF_TYPE, new Error('timeout'))).toBe(75);
  });

  it('takes each retry from the retry budget; once it is spent, a retry waits the cap instead (deferred, counted)', () => {
    let now = 0;
    // 20 % of first attempts per 10 s window, at least 2 retries.
    const budget = new RetryBudget(0.2, 10_000, 2, () => now);
    for (let i = 0; i < 5; i++) budget.recordCall();
    let deferred = 0;
    const s = jobBackoffStrategy({ baseMs: 100, capMs: 1000, isUnrecoverable: () => false, random: () => 0, budget, onDeferred: () => deferred++ });
    // Two retries allowed (max(2, 20 % of 5)): the usual spacing.
    expect([s(1, JOB_BACKOFF_TYPE), s(1, JOB_BACKOFF_TYPE)]).toEqual([50, 50]);
    // The budget is spent: the next retries wait the cap (equal jitter in [cap/2, cap]).
    expect([s(1, JOB_BACKOFF_TYPE), s(2, JOB_BACKOFF_TYPE)]).toEqual([500, 500]);
    expect(deferred).toBe(2);
    // The window forgets: retries are spaced as usual again.
    now = 11_000;
    expect(s(1, JOB_BACKOFF_TYPE)).toBe(50);
    // An unrecoverable error takes nothing from the budget.
    expect(s(1, JOB_BACKOFF_TYPE, new UnrecoverableError('no'))).toBe(NO_RETRY);
  });
});
