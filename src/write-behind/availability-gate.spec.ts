import { AvailabilityGate } from './availability-gate';

describe('AvailabilityGate', () => {
  const make = (random = () => 0.999999) => {
    let now = 0;
    const gate = new AvailabilityGate({ baseMs: 250, capMs: 2000, now: () => now, random });
    return { gate, advance: (ms: number) => (now += ms) };
  };

  it('pauses grow per failed probe (equal jitter) up to the cap', () => {
    const { gate, advance } = make();
    const pauses = Array.from({ length: 6 }, () => {
      const pause = gate.unavailable();
      advance(pause);
      return pause;
    });
    expect(pauses).toEqual([250, 500, 1000, 2000, 2000, 2000]);
    expect(gate.pauses).toBe(6);
    expect(gate.outage).toBe(true);
  });

  it('failures during a pause (the rest of the batch, other workers) do not lengthen it or count as probes', () => {
    const { gate, advance } = make();
    expect(gate.unavailable()).toBe(250);
    advance(100);
    expect(gate.unavailable()).toBe(150);
    expect(gate.unavailable()).toBe(150);
    expect(gate.pauses).toBe(1);
    advance(150);
    expect(gate.unavailable()).toBe(500);
  });

  it('a flush that reaches the database starts the next outage from the base again', () => {
    const { gate, advance } = make(() => 0);
    for (let i = 0; i < 4; i++) advance(gate.unavailable());
    gate.available();
    expect(gate.outage).toBe(false);
    expect(gate.unavailable()).toBe(125);
  });
});
