import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { CacheBus } from '../../src/cache/cache-bus';
import { redisConfigFor, standaloneClient } from '../support/redis-config';
import { TEST_REDIS_URL } from '../support/services';
import { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/test-app';

/**
 * The bus's acknowledgements on the real Redis: a write's `publish` resolves only once every other
 * pod has dropped the keys, even when a pod reads its subscription late (here: through a proxy that
 * delays its traffic, as a busy event loop would); a pod later than the timeout does not hold the
 * write longer than that, and is counted.
 */
describe('CacheBus acknowledgements (integration)', () => {
  let proxy: TcpProxy;
  const clients: Redis[] = [];
  const client = (url: string, name: string) => {
    const made = standaloneClient(redisConfigFor(url), 'cache', name);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    proxy = await TcpProxy.start('127.0.0.1', 6379);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await proxy.close();
  });

  /** Pod A on the shared Redis, pod B whose subscription reads through the delaying proxy. */
  async function pods(ackTimeoutMs: number) {
    const channel = `bulwark:test:bus-acks:${randomUUID()}`;
    const [aPub, aSub, bPub, bSub] = [
      client(TEST_REDIS_URL, 'a'),
      client(TEST_REDIS_URL, 'a-sub'),
      client(TEST_REDIS_URL, 'b'),
      client(`redis://127.0.0.1:${proxy.port}`, 'b-sub'),
    ];
    await Promise.all([aPub, aSub, bPub, bSub].map((c) => (c.status === 'ready' ? Promise.resolve() : once(c, 'ready').then(() => undefined))));
    const dropped: Array<{ keys: readonly string[]; at: number }> = [];
    let timeouts = 0;
    const a = new CacheBus(
      client(TEST_REDIS_URL, 'a'),
      client(TEST_REDIS_URL, 'a-sub'),
      channel,
      { onKeys: () => undefined, onGap: () => undefined, onAckTimeout: () => timeouts++ },
      { ackTimeoutMs },
    );
    const b = new CacheBus(bPub, bSub, channel, { onKeys: (keys) => dropped.push({ keys, at: performance.now() }), onGap: () => undefined }, { ackTimeoutMs });
    a.start();
    b.start();
    await waitFor(async () => Number(((await aPub.pubsub('NUMSUB', channel)) as [string, number])[1]) >= 2, 5_000, 'both pods subscribed');
    return { a, dropped, timeouts: () => timeouts };
  }

  it('publish resolves only after the other pod dropped the keys, however late it reads', async () => {
    const { a, dropped, timeouts } = await pods(1_000);
    proxy.setLatency(40);
    const started = performance.now();
    await a.publish(['product:1']);
    const resolvedAt = performance.now();
    expect(dropped.map((d) => d.keys)).toEqual([['product:1']]);
    expect(dropped[0].at).toBeLessThanOrEqual(resolvedAt);
    expect(resolvedAt - started).toBeGreaterThanOrEqual(40); // it did wait for B …
    expect(resolvedAt - started).toBeLessThan(500); // … for its acknowledgement, not the timeout
    expect(timeouts()).toBe(0);
    proxy.setLatency(0);
  });

  it('a pod later than the timeout holds the write no longer than the timeout, and is counted', async () => {
    const { a, timeouts } = await pods(50);
    proxy.setLatency(300);
    const started = performance.now();
    await a.publish(['product:2']);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(45);
    expect(took).toBeLessThan(250);
    expect(timeouts()).toBe(1);
    proxy.setLatency(0);
  });
});
