import { UnrecoverableError } from 'bullmq';
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
});
