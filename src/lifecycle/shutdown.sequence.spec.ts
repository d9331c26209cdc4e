import { Logger } from '@nestjs/common';
import { ShutdownSequence } from './shutdown.sequence';

describe('ShutdownSequence', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('closes queues, then Redis, then the database, whatever the registration order', async () => {
    const sequence = new ShutdownSequence({ shutdownStepTimeoutMs: 1000 });
    const closed: string[] = [];
    const closer = (name: string) => async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      closed.push(name);
    };
    sequence.register('database', 'postgres', closer('postgres'));
    sequence.register('redis', 'redis', closer('redis'));
    sequence.register('queues', 'writes', closer('writes'));
    await sequence.onApplicationShutdown();
    expect(closed).toEqual(['writes', 'redis', 'postgres']);
    expect(sequence.isDraining()).toBe(true);
  });

  it('tells the drain listeners once, when the drain begins (at once when registered after)', () => {
    const sequence = new ShutdownSequence({ shutdownStepTimeoutMs: 1000 });
    const told: string[] = [];
    sequence.onDrain(() => told.push('early'));
    expect(told).toEqual([]);
    sequence.beginDrain();
    sequence.beginDrain();
    sequence.onDrain(() => told.push('late'));
    expect(told).toEqual(['early', 'late']);
  });

  it('goes on with the next phase when a closer fails', async () => {
    const sequence = new ShutdownSequence({ shutdownStepTimeoutMs: 1000 });
    const closed: string[] = [];
    sequence.register('redis', 'redis', () => Promise.reject(new Error('boom')));
    sequence.register('database', 'postgres', async () => void closed.push('postgres'));
    await sequence.onApplicationShutdown();
    expect(closed).toEqual(['postgres']);
  });

  it('abandons a closer past SHUTDOWN_STEP_TIMEOUT_MS: drops its connections and goes on with the next phase', async () => {
    const sequence = new ShutdownSequence({ shutdownStepTimeoutMs: 50 });
    const events: string[] = [];
    sequence.register('queues', 'stuck worker', () => new Promise(() => undefined), { abandon: () => void events.push('worker dropped') });
    sequence.register('queues', 'quick queue', async () => void events.push('queue closed'), { abandon: () => void events.push('queue dropped') });
    sequence.register('redis', 'redis', async () => void events.push('redis closed'));
    const startedAt = Date.now();
    await sequence.onApplicationShutdown();
    expect(Date.now() - startedAt).toBeLessThan(1000);
    expect(events).toEqual(['queue closed', 'worker dropped', 'redis closed']);
    expect(sequence.abandoned).toEqual(['stuck worker']);
  });
});
