import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { ReplicasUnconfirmedError } from './redis.errors';
import { ReplicaWait } from './replica-wait';

/** A connection whose WAIT replies when the test says so. */
function connection() {
  const emitter = new EventEmitter();
  const pending: Array<(replicas: number) => void> = [];
  const wait = jest.fn(() => new Promise<number>((resolve) => pending.push(resolve)));
  const client = Object.assign(emitter, { wait }) as unknown as Redis;
  return { client, wait, emitter, reply: (replicas: number) => pending.shift()?.(replicas) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ReplicaWait', () => {
  it('sends nothing with 0 replicas required', async () => {
    const { client, wait } = connection();
    await new ReplicaWait(client, 0, 100).confirm(0);
    expect(wait).not.toHaveBeenCalled();
  });

  it('resolves when enough replicas confirm, and refuses fewer', async () => {
    const { client, reply } = connection();
    const replicas = new ReplicaWait(client, 2, 100);
    const enough = replicas.confirm(replicas.mark());
    await flush();
    reply(2);
    await expect(enough).resolves.toBeUndefined();
    const short = replicas.confirm(replicas.mark());
    await flush();
    reply(1);
    await expect(short).rejects.toThrow(new ReplicasUnconfirmedError('1 of 2 replica(s) confirmed within 100 ms'));
  });

  it('callers during a WAIT in flight share the next one, sent after it (it may precede their writes)', async () => {
    const { client, wait, reply } = connection();
    const replicas = new ReplicaWait(client, 1, 100);
    const first = replicas.confirm(0);
    const second = replicas.confirm(0);
    const third = replicas.confirm(0);
    await flush();
    expect(wait).toHaveBeenCalledTimes(1);
    reply(1);
    await first;
    await flush();
    expect(wait).toHaveBeenCalledTimes(2);
    reply(1);
    await Promise.all([second, third]);
    expect(wait).toHaveBeenCalledTimes(2);
  });

  it('refuses when the connection closed since the mark, whatever WAIT says', async () => {
    const { client, emitter, reply } = connection();
    const replicas = new ReplicaWait(client, 1, 100);
    const mark = replicas.mark();
    emitter.emit('close');
    const confirmed = replicas.confirm(mark);
    await flush();
    reply(1);
    await expect(confirmed).rejects.toThrow(/connection to the primary was lost/);
  });

  it('refuses when WAIT gets no reply within its timeout plus slack', async () => {
    jest.useFakeTimers();
    try {
      const { client } = connection();
      const replicas = new ReplicaWait(client, 1, 100);
      const confirmed = replicas.confirm(0);
      jest.advanceTimersByTime(1_100);
      await expect(confirmed).rejects.toThrow(/waiting for replicas failed: WAIT timed out/);
    } finally {
      jest.useRealTimers();
    }
  });
});
