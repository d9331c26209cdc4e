import { DatabaseUnavailableError } from '../database';
import { classifyFlushError } from './flush-errors';

describe('classifyFlushError', () => {
  it('a database that is not ready yet (no connection, no cause) is unavailable, not a failure of the rows', () => {
    expect(classifyFlushError(new DatabaseUnavailableError())).toBe('unavailable');
  });

  it('connection errors, also wrapped, are unavailable', () => {
    expect(classifyFlushError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('unavailable');
    expect(classifyFlushError(new DatabaseUnavailableError(Object.assign(new Error('terminating'), { code: '57P01' })))).toBe('unavailable');
    expect(classifyFlushError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe('unavailable');
  });

  it('a unique violation is retried per row; other data and integrity errors fail the row at once; the rest is unknown', () => {
    expect(classifyFlushError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe('row-retryable');
    expect(classifyFlushError(Object.assign(new Error('check violation'), { code: '23514' }))).toBe('row-fatal');
    expect(classifyFlushError(Object.assign(new Error('numeric out of range'), { code: '22003' }))).toBe('row-fatal');
    expect(classifyFlushError(new Error('something else'))).toBe('unknown');
  });
});
