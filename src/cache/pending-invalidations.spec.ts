import { MemoryL2Store } from './memory-l2.store';
import { MAX_PENDING_INVALIDATIONS, PendingInvalidations } from './pending-invalidations';

describe('PendingInvalidations', () => {
  it('covers the keys it holds until they are replayed', async () => {
    const pending = new PendingInvalidations();
    const l2 = new MemoryL2Store();
    pending.add(['a', 'b']);
    expect([pending.covers('a'), pending.covers('c')]).toEqual([true, false]);
    l2.down = true;
    await expect(pending.replay(l2)).rejects.toThrow();
    expect(pending.covers('a')).toBe(true);
    l2.down = false;
    expect(await pending.replay(l2)).toBe(2);
    expect(pending.covers('a')).toBe(false);
  });

  it('past its bound covers every key and clears the whole namespace on replay', async () => {
    const pending = new PendingInvalidations();
    const l2 = new MemoryL2Store();
    const keys = Array.from({ length: MAX_PENDING_INVALIDATIONS + 1 }, (_, i) => `k${i}`);
    expect(pending.add(keys)).toBe(true);
    expect(pending.covers('never-written')).toBe(true);
    await pending.replay(l2);
    expect(l2.calls.clear).toBe(1);
    expect(pending.covers('never-written')).toBe(false);
  });
});
