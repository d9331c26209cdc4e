import { jobRows } from './write-behind.types';

describe('jobRows', () => {
  it('reads the rows of a job', () => {
    const rows = [
      { id: 1, kind: 'upsert' as const, version: 2, meta: 'a' },
      { id: 3, kind: 'delete' as const, version: 4, meta: '' },
    ];
    expect(jobRows({ rows })).toBe(rows);
  });

  it('reads a job queued before jobs held several rows (one row at the top level) as that one row', () => {
    const legacy = { id: 7, kind: 'upsert', version: 3, meta: 'm', state: { name: 'x' }, reason: { code: '23514', message: 'no' } };
    expect(jobRows(legacy as never)).toEqual([{ id: 7, kind: 'upsert', version: 3, meta: 'm' }]);
  });
});
