import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { InFlightCounter } from './in-flight.counter';

describe('InFlightCounter', () => {
  it('counts a request until its response closes, answered or aborted, and keeps the window peak', () => {
    const counter = new InFlightCounter();
    const answered = new EventEmitter();
    const aborted = new EventEmitter();
    const open = new EventEmitter();
    for (const res of [answered, aborted, open]) counter.enter(res as ServerResponse);
    expect(counter.current).toBe(3);
    answered.emit('close');
    aborted.emit('close'); // the client went away: no response was written, the response still closes
    expect(counter.current).toBe(1);
    expect(counter.takePeak()).toBe(3);
    expect(counter.takePeak()).toBe(1); // the next window starts at the current count
  });
});
