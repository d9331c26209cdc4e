import type { FeatureQueue } from './feature-queue';
import { UnwritableValueError } from './write-behind.errors';
import { WriteBehind } from './write-behind.service';
import { WriteBehindStats } from './write-behind.stats';

describe('WriteBehind.write: values the write state cannot carry', () => {
  function producer() {
    const reserve = jest.fn();
    const writeSync = jest.fn();
    const feature = {
      entity: 'products',
      state: { reserve },
      store: { writeSync },
      stats: new WriteBehindStats(),
      config: { redisDownMode: 'sync', idBlock: 10 },
      producerReady: () => true,
      replicas: { mark: () => 0 },
    } as unknown as FeatureQueue;
    return { writes: new WriteBehind(feature), reserve, writeSync };
  }

  it('refuses them with a 422 naming each field, before any Redis call and without the sync fallback', async () => {
    const { writes, reserve, writeSync } = producer();
    const error = await writes.write({ kind: 'create', unique: 'SKU-1', meta: 'a|b', state: { priceMinor: NaN } }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnwritableValueError);
    expect(error).toMatchObject({
      status: 422,
      code: 'E_UNWRITABLE_VALUE',
      errors: [
        { pointer: '#/meta', detail: expect.stringContaining('separator') },
        { pointer: '#/state', detail: expect.stringContaining('NaN') },
      ],
    });
    expect(reserve).not.toHaveBeenCalled();
    expect(writeSync).not.toHaveBeenCalled();
  });

  it('refuses an update of a NaN id', async () => {
    const { writes, reserve } = producer();
    await expect(writes.write({ kind: 'update', id: NaN, unique: 'SKU-1', state: {} })).rejects.toMatchObject({
      code: 'E_UNWRITABLE_VALUE',
      errors: [{ pointer: '#/id' }],
    });
    expect(reserve).not.toHaveBeenCalled();
  });

  it('passes a value it can carry on to Redis with its JSON body', async () => {
    const { writes, reserve } = producer();
    reserve.mockResolvedValue({ kind: 'missing' });
    expect(await writes.write({ kind: 'update', id: 7, unique: 'a|b', state: { name: 'x\ny' } })).toEqual({ kind: 'missing' });
    expect(reserve).toHaveBeenCalledWith({ kind: 'update', id: 7, unique: 'a|b', state: { name: 'x\ny' } }, '{"name":"x\\ny"}');
  });
});
