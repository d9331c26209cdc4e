import { KeyGenerations } from './key-generations';

describe('KeyGenerations', () => {
  let clock: number;
  let generations: KeyGenerations;
  beforeEach(() => {
    clock = 0;
    generations = new KeyGenerations(1_000, () => clock);
  });

  it('a write overtakes the loads that began before it, not those that begin after it', () => {
    const before = generations.begin();
    generations.overtake(['k']);
    const after = generations.begin();
    expect([generations.overtaken('k', before), generations.overtaken('other', before), generations.overtaken('k', after)]).toEqual([true, false, false]);
  });

  it('keeps a write while any load still runs: one load ending does not clear it for the other', () => {
    const first = generations.begin();
    const second = generations.begin();
    generations.overtake(['k']);
    generations.end(); // the first load is done
    expect(generations.overtaken('k', second)).toBe(true);
    expect(generations.overtaken('k', first)).toBe(true);
    generations.end();
    expect(generations.size).toBe(0); // no load runs: nothing to remember
  });

  it('a load older than the horizon counts as overtaken once its writes are forgotten; overtakeAll overtakes every load', () => {
    const old = generations.begin();
    generations.overtake(['a']);
    clock += 1_500;
    generations.overtake(['b']); // forgets 'a' (past the horizon)
    expect(generations.overtaken('a', old)).toBe(true);
    const fresh = generations.begin();
    expect(generations.overtaken('c', fresh)).toBe(false);
    generations.overtakeAll();
    expect(generations.overtaken('c', fresh)).toBe(true);
  });
});
