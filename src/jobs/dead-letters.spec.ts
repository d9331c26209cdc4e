import { DeadLetters } from './dead-letters';
import type { DeadLetterSource, DeadLetterView } from './dead-letters.types';

function source(queues: string[], letters: Record<string, DeadLetterView[]>): DeadLetterSource {
  return {
    queues: () => queues,
    count: (q) => Promise.resolve(letters[q]?.length ?? 0),
    list: (q) => Promise.resolve(letters[q] ?? []),
    show: (q, id) => Promise.resolve(letters[q].find((l) => l.jobId === id)!),
    replay: (q, id) => Promise.resolve(letters[q].find((l) => l.jobId === id)!),
    discard: () => Promise.resolve(),
  };
}

const letter = (jobId: string): DeadLetterView => ({ jobId, reason: { code: 'E', message: 'm' }, attempts: 1, enqueuedAt: '', failedAt: null });

describe('DeadLetters: one API over every source', () => {
  it('counts every queue of every source and routes each call to the source of its queue', async () => {
    const hub = new DeadLetters();
    hub.addSource(source(['products'], { products: [letter('a')] }));
    hub.addSource(source(['mail', 'sms'], { mail: [letter('b'), letter('c')] }));
    expect(await hub.counts()).toEqual({ products: 1, mail: 2, sms: 0 });
    expect((await hub.list('mail')).map((l) => l.jobId)).toEqual(['b', 'c']);
    expect((await hub.show('products', 'a')).jobId).toBe('a');
  });

  it('an unknown queue is a 404; a queue name held by two sources fails at boot', () => {
    const hub = new DeadLetters();
    hub.addSource(source(['products'], {}));
    expect(() => hub.list('nope')).toThrow(expect.objectContaining({ status: 404 }) as Error);
    expect(() => hub.addSource(source(['products'], {}))).toThrow(/registered twice/);
  });
});
