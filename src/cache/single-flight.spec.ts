import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('runs the work once for concurrent callers of one key and shares its result', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    const work = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 42;
    };
    const results = await Promise.all(Array.from({ length: 500 }, () => flight.run('k', work)));
    expect(runs).toBe(1);
    expect(new Set(results)).toEqual(new Set([42]));
    expect(flight.size).toBe(0);
  });

  it('shares a failure too, then lets the next caller try again', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    const failing = async () => {
      runs++;
      throw new Error('boom');
    };
    await expect(Promise.all([flight.run('k', failing), flight.run('k', failing)])).rejects.toThrow('boom');
    expect(runs).toBe(1);
    await expect(flight.run('k', async () => 1)).resolves.toBe(1);
  });

  it('keeps keys apart', async () => {
    const flight = new SingleFlight<string>();
    const [a, b] = await Promise.all([flight.run('a', async () => 'A'), flight.run('b', async () => 'B')]);
    expect([a, b]).toEqual(['A', 'B']);
  });
});
