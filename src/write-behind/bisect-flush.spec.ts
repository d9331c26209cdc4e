import { bisectFlush } from './bisect-flush';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('bisectFlush', () => {
  it('flushes a good batch in one call', async () => {
    const flush = jest.fn(async () => undefined);
    const result = await bisectFlush([1, 2, 3, 4], flush);
    expect(result).toEqual({ failed: new Map(), calls: 1 });
  });

  it('isolates one poisoned row; every neighbour lands', async () => {
    const landed: number[] = [];
    const flush = async (items: readonly number[]) => {
      if (items.includes(5)) throw pgError('23514');
      landed.push(...items);
    };
    const items = Array.from({ length: 16 }, (_, i) => i);
    const result = await bisectFlush(items, flush);
    expect([...result.failed.keys()]).toEqual([5]);
    expect(landed.sort((a, b) => a - b)).toEqual(items.filter((i) => i !== 5));
    expect(result.calls).toBeLessThanOrEqual(1 + 2 * Math.log2(16));
  });

  it('does not split on an unavailable database: the whole batch fails in one call', async () => {
    const flush = jest.fn(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    });
    const result = await bisectFlush([1, 2, 3, 4], flush);
    expect(result.calls).toBe(1);
    expect([...result.failed.keys()]).toEqual([1, 2, 3, 4]);
  });
});
