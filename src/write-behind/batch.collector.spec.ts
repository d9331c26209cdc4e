import { BatchCollector } from './batch.collector';

describe('BatchCollector', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands over a batch as soon as it is full, without waiting for the timer', async () => {
    const batches: number[][] = [];
    const collector = new BatchCollector<number>({ maxItems: 3, maxWaitMs: 1000 }, async (items) => {
      batches.push([...items]);
      return new Map();
    });
    const done = [1, 2, 3].map((n) => collector.add(n));
    await Promise.all(done);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('weighs items: a batch is full when their weights reach maxItems (jobs of several rows)', async () => {
    const batches: number[][] = [];
    const collector = new BatchCollector<number>({ maxItems: 10, maxWaitMs: 1000, weight: (n) => n }, async (items) => {
      batches.push([...items]);
      return new Map();
    });
    const done = [4, 5, 1, 3].map((n) => collector.add(n));
    // 4 + 5 + 1 = 10: handed over at once; 3 alone waits for the timer.
    await Promise.all(done.slice(0, 3));
    expect(batches).toEqual([[4, 5, 1]]);
    jest.advanceTimersByTime(1000);
    await done[3];
    expect(batches).toEqual([[4, 5, 1], [3]]);
  });

  it('one batch in flight at a time: items arriving meanwhile wait for it, then go together as the next batch', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const collector = new BatchCollector<number>({ maxItems: 2, maxWaitMs: 1000 }, async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return new Map();
    });
    const first = [1, 2].map((n) => collector.add(n));
    const later = [3, 4, 5].map((n) => collector.add(n));
    await Promise.resolve();
    // Full batches wait while the first is in flight.
    expect(batches).toEqual([[1, 2]]);
    release();
    await Promise.all(first);
    await Promise.all(later.slice(0, 2));
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    jest.advanceTimersByTime(1000);
    await later[2];
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('an item heavier than a batch goes alone', async () => {
    const batches: number[][] = [];
    const collector = new BatchCollector<number>({ maxItems: 10, maxWaitMs: 1000, weight: (n) => n }, async (items) => {
      batches.push([...items]);
      return new Map();
    });
    await Promise.all([25, 2].map((n) => collector.add(n)).slice(0, 1));
    expect(batches).toEqual([[25]]);
    await collector.drain();
    expect(batches).toEqual([[25], [2]]);
  });

  it('hands over a partial batch after maxWaitMs', async () => {
    const onBatch = jest.fn(async () => new Map<number, unknown>());
    const collector = new BatchCollector<number>({ maxItems: 10, maxWaitMs: 50 }, onBatch);
    const done = collector.add(1);
    jest.advanceTimersByTime(49);
    expect(onBatch).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    await done;
    expect(onBatch).toHaveBeenCalledWith([1]);
  });

  it('rejects only the items the batch reports as failed, with their own error', async () => {
    const collector = new BatchCollector<number>({ maxItems: 3, maxWaitMs: 1000 }, async () => new Map([[2, new Error('row 2')]]));
    const results = await Promise.allSettled([1, 2, 3].map((n) => collector.add(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('row 2'));
  });

  it('drain hands over what is gathered and waits for it', async () => {
    const onBatch = jest.fn(async () => new Map<number, unknown>());
    const collector = new BatchCollector<number>({ maxItems: 10, maxWaitMs: 10_000 }, onBatch);
    const done = collector.add(7);
    await collector.drain();
    await done;
    expect(onBatch).toHaveBeenCalledWith([7]);
  });
});
