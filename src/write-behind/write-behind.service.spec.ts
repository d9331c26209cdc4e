import type { FeatureQueue } from './feature-queue';
import { UnwritableValueError } from './write-behind.errors';
import { WriteBehind } from './write-behind.service';
import { WriteBehindStats } from './write-behind.stats';

describe('WriteBehind.write: values the write state cannot carry', () => {
  function producer() {
    const reserveMany = jest.fn();
    const writeSync = jest.fn();
    const feature = {
      entity: 'products',
      state: { reserveMany },
      store: { writeSync },
      stats: new WriteBehindStats(),
      config: { redisDownMode: 'sync', idBlock: 10, groupMaxWrites: 100, groupWindowMs: 0 },
      producerReady: () => true,
      replicas: { mark: () => 0 },
    } as unknown as FeatureQueue;
    return { writes: new WriteBehind(feature), reserveMany, writeSync };
  }

  it('refuses them with a 422 naming each field, before any Redis call and without the sync fallback', async () => {
    const { writes, reserveMany, writeSync } = producer();
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
    expect(reserveMany).not.toHaveBeenCalled();
    expect(writeSync).not.toHaveBeenCalled();
  });

  it('refuses an update of a NaN id', async () => {
    const { writes, reserveMany } = producer();
    await expect(writes.write({ kind: 'update', id: NaN, unique: 'SKU-1', state: {} })).rejects.toMatchObject({
      code: 'E_UNWRITABLE_VALUE',
      errors: [{ pointer: '#/id' }],
    });
    expect(reserveMany).not.toHaveBeenCalled();
  });

  it('passes a value it can carry on to Redis with its JSON body', async () => {
    const { writes, reserveMany } = producer();
    reserveMany.mockResolvedValue([{ kind: 'missing' }]);
    expect(await writes.write({ kind: 'update', id: 7, unique: 'a|b', state: { name: 'x\ny' } })).toEqual({ kind: 'missing' });
    expect(reserveMany).toHaveBeenCalledWith([{ request: { kind: 'update', id: 7, unique: 'a|b', state: { name: 'x\ny' } }, body: '{"name":"x\\ny"}' }], {
      atomic: false,
    });
  });
});
