import { Logger } from '@nestjs/common';
import { ShutdownSequence } from './shutdown.sequence';

describe('ShutdownSequence', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('closes queues, then Redis, then the database, whatever the registration order', async () => {
    const sequence = new ShutdownSequence();
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

  it('goes on with the next phase when a closer fails', async () => {
    const sequence = new ShutdownSequence();
    const closed: string[] = [];
    sequence.register('redis', 'redis', () => Promise.reject(new Error('boom')));
    sequence.register('database', 'postgres', async () => void closed.push('postgres'));
    await sequence.onApplicationShutdown();
    expect(closed).toEqual(['postgres']);
  });
});
