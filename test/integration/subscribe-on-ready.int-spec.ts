import type Redis from 'ioredis';
import type { RedisConfig } from '../../src/redis/redis.config';
import { subscribeOnReady } from '../../src/redis/subscribe-on-ready';
import { redisConfigFor, standaloneClient } from '../support/redis-config';
import { ThrowawayRedis } from '../support/redis-server';
import { waitFor } from '../support/test-app';

/**
 * `subscribeOnReady` on a throwaway redis-server (the shared one is never
 * killed): a `subscriber`-profile connection (ioredis's auto-resubscribe off)
 * whose connection is killed, or whose server restarts, is subscribed again
 * once it reconnects, and a message published afterwards arrives. A SUBSCRIBE
 * Redis refuses is reported, not thrown.
 */
jest.setTimeout(30_000);

const CHANNEL = 'subscribe-on-ready:test';

let server: ThrowawayRedis;
let subscriber: Redis;
let publisher: Redis;
let stop: () => void;
let received: string[];
let subscribed: Array<{ resubscribed: boolean }>;
let errors: Error[];

function config(url: string): RedisConfig {
  return redisConfigFor(url, { REDIS_KEY_PREFIX: 'subscribe-on-ready:' });
}

/** Subscribers of CHANNEL as the server counts them. */
async function subscribers(): Promise<number> {
  const [, count] = (await publisher.pubsub('NUMSUB', CHANNEL)) as [string, number];
  return Number(count);
}

/** Publishes `text` and waits until the helper hands it over. */
async function roundTrip(text: string): Promise<void> {
  await publisher.publish(CHANNEL, text);
  await waitFor(() => received.includes(text), 5_000, `message "${text}" to arrive`);
}

beforeAll(async () => {
  server = await ThrowawayRedis.start();
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(async () => {
  if (!server.running) await server.restart();
  received = [];
  subscribed = [];
  errors = [];
  publisher = standaloneClient(config(server.url), 'cache', 'subscribe-test-publisher');
  subscriber = standaloneClient(config(server.url), 'cache', 'subscribe-test-subscriber', 'subscriber');
  stop = subscribeOnReady(subscriber, CHANNEL, {
    onMessage: (message) => received.push(message),
    onSubscribed: (event) => subscribed.push(event),
    onError: (error) => errors.push(error),
  });
  await waitFor(() => subscribed.length === 1 && publisher.status === 'ready', 5_000, 'the first subscription');
});
afterEach(() => {
  stop();
  subscriber.disconnect();
  publisher.disconnect();
});

it('subscribes once the connection is ready, as a first subscription', async () => {
  expect(subscribed).toEqual([{ resubscribed: false }]);
  await roundTrip('first');
  expect(errors).toEqual([]);
});

it('subscribes at once a connection that is already ready', async () => {
  const late = standaloneClient(config(server.url), 'cache', 'subscribe-test-late', 'subscriber');
  await waitFor(() => late.status === 'ready', 5_000, 'the late subscriber to connect');
  const confirmed: Array<{ resubscribed: boolean }> = [];
  const stopLate = subscribeOnReady(late, CHANNEL, {
    onMessage: () => undefined,
    onSubscribed: (event) => confirmed.push(event),
    onError: (error) => errors.push(error),
  });
  try {
    await waitFor(async () => confirmed.length === 1 && (await subscribers()) === 2, 5_000, 'the late subscription');
    expect(confirmed).toEqual([{ resubscribed: false }]);
  } finally {
    stopLate();
    late.disconnect();
  }
});

it('subscribes again after its connection is killed, and messages published afterwards arrive', async () => {
  await roundTrip('before');
  const killed = await publisher.client('KILL', 'TYPE', 'pubsub');
  expect(killed).toBe(1);
  await waitFor(async () => subscribed.length === 2 && (await subscribers()) === 1, 5_000, 'the subscription to come back');
  expect(subscribed[1]).toEqual({ resubscribed: true });
  await roundTrip('after');
  expect(received).toEqual(['before', 'after']);
});

it('subscribes again after the server restarts (it forgot every subscription)', async () => {
  await server.kill();
  await waitFor(() => subscriber.status !== 'ready', 5_000, 'the subscriber to notice');
  await server.restart();
  await waitFor(async () => publisher.status === 'ready' && subscribed.length === 2 && (await subscribers()) === 1, 10_000, 'the subscription to come back');
  await roundTrip('after restart');
});

it('reports a SUBSCRIBE that Redis refuses, and subscribes on the next reconnection', async () => {
  // A user allowed no channel at all: its SUBSCRIBE fails with NOPERM.
  await publisher.call('ACL', 'SETUSER', 'no-channels', 'on', 'nopass', 'resetchannels', '+@all', '~*');
  const limited = standaloneClient(config(server.url.replace('redis://', 'redis://no-channels@')), 'cache', 'subscribe-test-limited', 'subscriber');
  const failures: Error[] = [];
  const stopLimited = subscribeOnReady(limited, CHANNEL, { onMessage: () => undefined, onError: (error) => failures.push(error) });
  try {
    await waitFor(() => failures.length === 1, 5_000, 'the refusal');
    expect(failures[0].message).toMatch(/NOPERM/);
    await publisher.call('ACL', 'SETUSER', 'no-channels', 'allchannels');
    await publisher.client('KILL', 'USER', 'no-channels');
    await waitFor(async () => (await subscribers()) === 2, 5_000, 'the subscription once allowed');
    expect(failures).toHaveLength(1);
  } finally {
    stopLimited();
    limited.disconnect();
    await publisher.call('ACL', 'DELUSER', 'no-channels');
  }
});
