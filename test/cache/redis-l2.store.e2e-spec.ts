import type Redis from 'ioredis';
import type { Command } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEntry, encodeEntry } from '../../src/cache/cache-entry.codec';
import { L2UnavailableError } from '../../src/cache/cache.errors';
import type { CacheEntry } from '../../src/cache/cache.types';
import { RedisL2Store, type L2BreakerState, type RedisL2StoreOptions } from '../../src/cache/redis-l2.store';
import { redisConfigFor, standaloneClient } from '../support/redis-config';
import { TEST_REDIS_URL } from '../support/services';
import { scanKeys } from '../support/redis-keys';
import { TcpProxy } from '../support/tcp-proxy';
import { isolationId, waitFor } from '../support/test-app';

// The L2 tier against the real Redis, each run under its own `bulwark:test:<id>:` prefix
// (the Redis is shared with BullMQ and other tests: nothing outside that prefix is touched).

const id = isolationId();
const prefix = `bulwark:test:${id}:`;

function connect(url: string, name: string): Redis {
  return standaloneClient(redisConfigFor(url, { REDIS_KEY_PREFIX: prefix }), 'cache', name);
}

async function ready(client: Redis): Promise<void> {
  await waitFor(() => client.status === 'ready', 10_000, `${client.options.connectionName} ready`);
}

function entry(body: string, tags: readonly string[] = ['product', 'a,b|c'], negative = false): CacheEntry {
  const now = Date.now();
  return createEntry(Buffer.from(body, 'utf8'), now + 60_000, now + 120_000, negative, tags);
}

/** Records the commands `client` sends and the socket writes they take while `action` runs. */
async function recordTraffic(client: Redis, action: () => Promise<unknown>): Promise<{ commands: Command[]; pipelined: boolean[]; writes: number }> {
  const send = jest.spyOn(client, 'sendCommand');
  const write = jest.spyOn(client.stream, 'write');
  try {
    await action();
    return {
      commands: send.mock.calls.map(([command]) => command),
      pipelined: send.mock.calls.map(([, stream]) => (stream as { isPipeline?: boolean } | undefined)?.isPipeline === true),
      writes: write.mock.calls.length,
    };
  } finally {
    send.mockRestore();
    write.mockRestore();
  }
}

/** How long `promise` took to settle, and its error if it rejected. */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const start = performance.now();
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  return { ms: performance.now() - start, error };
}

let redis: Redis;

beforeAll(async () => {
  redis = connect(TEST_REDIS_URL, 'l2-test');
  await ready(redis);
});

afterAll(async () => {
  // `bulwark:test:<id>*` also covers the neighbour prefix `bulwark:test:<id>b:` used by the clear test.
  const leftovers = await scanKeys(redis, `bulwark:test:${id}*`);
  if (leftovers.length > 0) await redis.unlink(...leftovers);
  await redis.quit();
});

describe('RedisL2Store on Redis', () => {
  const options: RedisL2StoreOptions = { keyPrefix: prefix, timeoutMs: 500 };

  it('round-trips entries, whatever their bodies and tags hold', async () => {
    const store = new RedisL2Store(redis, options);
    const bodies = ['{"id":42,"name":"a|b||c"}', '{"emoji":"🚀 café ✓"}', '|', '', '{"nested":"b1|1|2|0||\\"x\\"|"}'];
    for (const [i, body] of bodies.entries()) {
      const original = entry(body, i === 0 ? [] : ['tag|one', 'é,t', '🏷'], i === 1);
      await store.set(`roundtrip:${i}`, original, 60_000);
      expect(await store.get(`roundtrip:${i}`)).toEqual(original);
    }
    expect(await store.get('roundtrip:missing')).toBeUndefined();
  });

  it('stores exactly encodeEntry(entry) at <prefix>cache:{<key>}, with the TTL as PX', async () => {
    const store = new RedisL2Store(redis, options);
    const value = entry('{"id":7}');
    await store.set('product:7', value, 30_000);
    // A key that looks like a namespace is not special: no Keyv prefixing on top.
    await store.set('cache:x', value, 30_000);
    await store.setMany([{ key: 'keyv:y', entry: value, ttlMs: 20_000.4 }]);

    expect(await redis.get(`${prefix}cache:{product:7}`)).toBe(encodeEntry(value));
    expect(await redis.get(`${prefix}cache:{cache:x}`)).toBe(encodeEntry(value));
    expect(await redis.get(`${prefix}cache:{keyv:y}`)).toBe(encodeEntry(value));
    expect(await store.getMany(['cache:x', 'keyv:y'])).toEqual([value, value]);
    expect(await scanKeys(redis, `${prefix}cache:*keyv*`)).toEqual([`${prefix}cache:{keyv:y}`]);

    const pttl = await redis.pttl(`${prefix}cache:{product:7}`);
    expect(pttl).toBeGreaterThan(25_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    const batchPttl = await redis.pttl(`${prefix}cache:{keyv:y}`);
    expect(batchPttl).toBeGreaterThan(15_000);
    expect(batchPttl).toBeLessThanOrEqual(20_001);
  });

  it('getMany is one MGET in one write, aligned with the keys, garbage read as a miss', async () => {
    const store = new RedisL2Store(redis, options);
    const a = entry('{"a":1}');
    const c = entry('{"c":"|🙂|"}');
    await store.set('many:a', a, 60_000);
    await store.set('many:c', c, 60_000);
    await redis.set(`${prefix}cache:{many:garbage}`, 'not an entry', 'PX', 60_000);

    let result: Array<CacheEntry | undefined> = [];
    const traffic = await recordTraffic(redis, async () => {
      result = await store.getMany(['many:a', 'many:b', 'many:c', 'many:garbage']);
    });

    expect(result).toEqual([a, undefined, c, undefined]);
    expect(traffic.commands.map((command) => command.name)).toEqual(['mget']);
    expect(traffic.commands[0].args).toEqual(['many:a', 'many:b', 'many:c', 'many:garbage'].map((key) => `${prefix}cache:{${key}}`));
    expect(traffic.writes).toBe(1);
    expect(await store.getMany([])).toEqual([]);
  });

  it('setMany is one pipeline in one write: per key, its generation moved on (INCR, PEXPIRE) before SET … PX', async () => {
    const store = new RedisL2Store(redis, options);
    const entries = [1, 2, 3].map((n) => ({ key: `batch:${n}`, entry: entry(`{"n":${n}}`), ttlMs: 10_000 * n }));

    const traffic = await recordTraffic(redis, () => store.setMany(entries));

    expect(traffic.commands.map((command) => command.name)).toEqual(['incr', 'pexpire', 'set', 'incr', 'pexpire', 'set', 'incr', 'pexpire', 'set']);
    expect(traffic.pipelined.every(Boolean)).toBe(true);
    expect(traffic.commands.filter((command) => command.name === 'set').map((command) => command.args.slice(2))).toEqual([
      ['PX', '10000'],
      ['PX', '20000'],
      ['PX', '30000'],
    ]);
    expect(traffic.writes).toBe(1);
    for (const { key, entry: value, ttlMs } of entries) {
      expect(await redis.get(`${prefix}cache:{${key}}`)).toBe(encodeEntry(value));
      expect(await redis.pttl(`${prefix}cache:{${key}}`)).toBeLessThanOrEqual(ttlMs);
    }
  });

  it('delete is one pipeline: the generations moved on, then one UNLINK for all keys', async () => {
    const store = new RedisL2Store(redis, options);
    await store.setMany(['del:1', 'del:2', 'del:keep'].map((key) => ({ key, entry: entry('{}'), ttlMs: 60_000 })));

    const traffic = await recordTraffic(redis, () => store.delete(['del:1', 'del:2', 'del:absent']));

    expect(traffic.commands.map((command) => command.name)).toEqual(['incr', 'pexpire', 'incr', 'pexpire', 'incr', 'pexpire', 'unlink']);
    expect(traffic.writes).toBe(1);
    expect(await store.getMany(['del:1', 'del:2', 'del:keep'])).toEqual([undefined, undefined, expect.anything()]);
  });

  it("fill stores a loaded value only where no write (set or delete) moved the key's generation since it was read", async () => {
    const store = new RedisL2Store(redis, options);
    const old = entry('{"v":1}');
    const written = entry('{"v":2}');
    await store.set('gen:written', entry('{"v":0}'), 60_000);
    const before = await store.generations(['gen:untouched', 'gen:written', 'gen:deleted']);
    expect(before).toEqual(['', '1', '']);

    await store.set('gen:written', written, 60_000); // a write on some pod while the loads ran
    await store.delete(['gen:deleted']);
    const stored = await store.fill(
      ['gen:untouched', 'gen:written', 'gen:deleted'].map((key, i) => ({ key, entry: old, ttlMs: 60_000, generation: before[i] })),
    );

    expect(stored).toBe(1);
    expect(await store.getMany(['gen:untouched', 'gen:written', 'gen:deleted'])).toEqual([old, written, undefined]);
    expect(await redis.pttl(`${prefix}cache-gen:{gen:written}`)).toBeGreaterThan(0); // generations expire
  });

  it('clear removes every key of the namespace and nothing else', async () => {
    const store = new RedisL2Store(redis, options);
    // More keys than one SCAN/UNLINK batch (500).
    await store.setMany(Array.from({ length: 1_200 }, (_, n) => ({ key: `clear:${n}`, entry: entry(`${n}`), ttlMs: 60_000 })));
    const sameBaseOutsideCache = `${prefix}other:cache:kept`;
    const neighbourPrefix = `bulwark:test:${id}b:cache:kept`;
    await redis.set(sameBaseOutsideCache, 'x', 'PX', 60_000);
    await redis.set(neighbourPrefix, 'y', 'PX', 60_000);

    await store.clear();

    expect(await scanKeys(redis, `${prefix}cache:*`)).toEqual([]);
    expect(await redis.get(sameBaseOutsideCache)).toBe('x');
    expect(await redis.get(neighbourPrefix)).toBe('y');
  });

  it('wraps a Redis error in L2UnavailableError: the read path does not swallow it', async () => {
    const store = new RedisL2Store(redis, options);
    await redis.lpush(`${prefix}cache:{wrongtype}`, 'x');

    const { error } = await timed(store.get('wrongtype'));

    expect(error).toBeInstanceOf(L2UnavailableError);
    expect(error).toMatchObject({ code: 'E_L2_UNAVAILABLE', reason: 'error', operation: 'get' });
    expect(((error as L2UnavailableError).cause as Error).message).toMatch(/WRONGTYPE/);
    expect(store.counters()).toEqual({ errors: 1, timeouts: 0, rejectedWhileOpen: 0 });
    expect(store.state()).toBe('closed');
  });
});

describe('RedisL2Store when Redis is down or slow (through a fault-injecting proxy)', () => {
  const timeoutMs = 50;
  const halfOpenAfterMs = 300;
  let proxy: TcpProxy;
  let proxied: Redis;

  beforeAll(async () => {
    proxy = await TcpProxy.start('127.0.0.1', 6379);
    proxied = connect(`redis://127.0.0.1:${proxy.port}`, 'l2-chaos');
    await ready(proxied);
  });

  afterEach(async () => {
    proxy.setLatency(0);
    proxy.restore();
    await ready(proxied);
  });

  afterAll(async () => {
    proxied.disconnect();
    await proxy.close();
  });

  function chaosStore(breakerThreshold: number): { store: RedisL2Store; states: L2BreakerState[] } {
    const store = new RedisL2Store(proxied, { keyPrefix: prefix, timeoutMs, breakerThreshold, breakerHalfOpenAfterMs: halfOpenAfterMs });
    const states: L2BreakerState[] = [];
    store.onStateChange((state) => states.push(state));
    return { store, states };
  }

  it('cut: fails fast, opens after the threshold, refuses without touching Redis, and a probe closes it after restore', async () => {
    const { store, states } = chaosStore(3);
    const value = entry('{"survives":"the outage"}');
    await store.set('outage:k', value, 60_000);

    proxy.cutAll();
    await waitFor(() => proxied.status !== 'ready', 2_000, 'the client to notice the cut');

    const calls: Array<() => Promise<unknown>> = [
      () => store.get('outage:k'),
      () => store.set('outage:k', value, 1_000),
      () => store.setMany([{ key: 'outage:k', entry: value, ttlMs: 1_000 }]),
    ];
    for (const call of calls) {
      const { ms, error } = await timed(call());
      expect(error).toBeInstanceOf(L2UnavailableError);
      expect((error as L2UnavailableError).reason).not.toBe('open');
      expect(ms).toBeLessThan(timeoutMs + 100);
    }
    expect(store.state()).toBe('open');
    expect(states).toEqual(['open']);

    const traffic = await recordTraffic(proxied, async () => {
      const refusedCalls: Array<() => Promise<unknown>> = [
        () => store.get('outage:k'),
        () => store.getMany(['outage:k']),
        () => store.delete(['outage:k']),
        () => store.clear(),
      ];
      for (const call of refusedCalls) {
        const { ms, error } = await timed(call());
        expect(error).toMatchObject({ code: 'E_L2_UNAVAILABLE', reason: 'open' });
        expect(ms).toBeLessThan(5);
      }
    });
    expect(traffic.commands).toEqual([]);
    expect(store.counters()).toMatchObject({ rejectedWhileOpen: 4 });
    expect(store.counters().errors + store.counters().timeouts).toBe(3);

    proxy.restore();
    await ready(proxied);
    await sleep(halfOpenAfterMs);
    expect(await store.get('outage:k')).toEqual(value);
    expect(store.state()).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('slow: times out after timeoutMs, opens, refuses others while the probe runs, closes once Redis is fast again', async () => {
    const { store, states } = chaosStore(2);
    const value = entry('{"slow":true}');
    await store.set('slow:k', value, 60_000);
    proxy.setLatency(200);

    for (let i = 0; i < 2; i++) {
      const { ms, error } = await timed(store.get('slow:k'));
      expect(error).toMatchObject({ code: 'E_L2_UNAVAILABLE', reason: 'timeout' });
      expect(ms).toBeGreaterThanOrEqual(timeoutMs - 5);
      expect(ms).toBeLessThan(timeoutMs + 100);
    }
    expect(store.state()).toBe('open');
    const refused = await timed(store.getMany(['slow:k']));
    expect(refused.error).toMatchObject({ reason: 'open' });
    expect(refused.ms).toBeLessThan(5);

    // Still slow when the breaker half-opens: the probe times out, the calls beside it are refused at once.
    await sleep(halfOpenAfterMs);
    const probe = timed(store.get('slow:k'));
    const beside = await timed(store.get('slow:k'));
    expect(beside.error).toMatchObject({ reason: 'open' });
    expect(beside.ms).toBeLessThan(5);
    expect((await probe).error).toMatchObject({ reason: 'timeout' });
    expect(store.state()).toBe('open');

    proxy.setLatency(0);
    await sleep(halfOpenAfterMs + 200); // also lets the late replies of the timed-out calls arrive
    expect(await store.get('slow:k')).toEqual(value);
    expect(store.state()).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    expect(store.counters()).toEqual({ errors: 0, timeouts: 3, rejectedWhileOpen: 2 });
  });
});
