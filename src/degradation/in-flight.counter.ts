import { Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';

/**
 * Counts HTTP requests in flight in this process, for load shedding. `app.factory.ts` calls
 * {@link enter} on the raw request, before Fastify and the L1 fast path, so fast-path hits
 * count too; the response's `close` event (emitted once per response, also when the
 * client went away) releases it. Costs an increment and one listener per request: the listener
 * is one shared function, so nothing is allocated per request.
 */
@Injectable()
export class InFlightCounter {
  private count = 0;
  private peak = 0;

  private readonly release = (): void => {
    this.count -= 1;
  };

  /** Requests in flight now. */
  get current(): number {
    return this.count;
  }

  /** Counts `res`'s request until the response closes. */
  enter(res: ServerResponse): void {
    this.count += 1;
    if (this.count > this.peak) this.peak = this.count;
    // `on`, not `once`: 'close' fires once per response, and `once` would allocate a wrapper.
    res.on('close', this.release);
  }

  /** The highest count since the last call (the window's peak), starting the next window at the current count. */
  takePeak(): number {
    const peak = this.peak;
    this.peak = this.count;
    return peak;
  }
}
