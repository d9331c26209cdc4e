import { ConfigValidationError, loadConfig } from '../config';
import { redisConfig } from './redis.config';
import { clusterNodeOptions, describeEndpoint, endpointOptions, parseAddresses } from './redis.roles';

const load = (env: Record<string, string>) => loadConfig([redisConfig], env).get(redisConfig);

describe('redisConfig: roles', () => {
  it('both roles default to REDIS_URL, standalone, one shared client, no WAIT', () => {
    const config = load({ REDIS_URL: 'redis://r:6379' });
    expect(config.roles).toEqual({ cache: { kind: 'standalone', url: 'redis://r:6379' }, queue: { kind: 'standalone', url: 'redis://r:6379' } });
    expect(config.rolesShared).toBe(true);
    expect(config.queue).toEqual({ requireNoeviction: false, minReplicas: 0, waitTimeoutMs: 500 });
  });

  it('REDIS_CACHE_URL and REDIS_QUEUE_URL override it per role', () => {
    const config = load({ REDIS_URL: 'redis://r:6379', REDIS_QUEUE_URL: 'redis://q:6379/2' });
    expect(config.roles.cache).toEqual({ kind: 'standalone', url: 'redis://r:6379' });
    expect(config.roles.queue).toEqual({ kind: 'standalone', url: 'redis://q:6379/2' });
    expect(config.rolesShared).toBe(false);
  });

  it('Sentinel for both roles, or per role; the queue role through Sentinel waits for 1 replica by default', () => {
    const both = load({ REDIS_SENTINELS: 'a:26379,b:26380', REDIS_SENTINEL_NAME: 'main' });
    expect(both.roles.queue).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 'a', port: 26379 },
        { host: 'b', port: 26380 },
      ],
      name: 'main',
      url: 'redis://127.0.0.1:6379',
    });
    expect(both.rolesShared).toBe(true);
    expect(both.queue.minReplicas).toBe(1);

    const queueOnly = load({ REDIS_QUEUE_SENTINELS: 's:26379', REDIS_QUEUE_SENTINEL_NAME: 'queue', REDIS_QUEUE_MIN_REPLICAS: '2' });
    expect(queueOnly.roles.cache.kind).toBe('standalone');
    expect(queueOnly.roles.queue).toMatchObject({ kind: 'sentinel', name: 'queue' });
    expect(queueOnly.queue.minReplicas).toBe(2);

    const cacheOnly = load({ REDIS_CACHE_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'shared-name' });
    expect(cacheOnly.roles.cache).toMatchObject({ kind: 'sentinel', name: 'shared-name' });
    expect(cacheOnly.queue.minReplicas).toBe(0);
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      load({ REDIS_CACHE_URL: 'http://x', REDIS_SENTINELS: 'a:1,b', REDIS_QUEUE_SENTINELS: 'q:26379', REDIS_QUEUE_MIN_REPLICAS: '-1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    expect(message).toContain('REDIS_CACHE_URL: must be empty (REDIS_URL) or a URL starting with redis:// or rediss://');
    expect(message).toContain('REDIS_SENTINELS: must be empty or host:port items');
    expect(message).toContain('REDIS_QUEUE_MIN_REPLICAS');
  });

  it('a role through Sentinel needs a primary name', () => {
    expect(() => load({ REDIS_QUEUE_SENTINELS: 'q:26379' })).toThrow(/REDIS_QUEUE_SENTINEL_NAME: is required when the queue role uses Sentinel/);
    expect(() => load({ REDIS_SENTINELS: 'q:26379' })).toThrow(/REDIS_SENTINEL_NAME: is required when the cache role uses Sentinel/);
  });

  it('Cluster for both roles, or per role; WAIT for 1 replica by default on a cluster queue role', () => {
    const both = load({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7001', REDIS_URL: 'rediss://:pw@ignored:1' });
    expect(both.roles.cache).toMatchObject({ kind: 'cluster', url: 'rediss://:pw@ignored:1' });
    expect(both.roles.queue.kind === 'cluster' && both.roles.queue.nodes.map(({ host, port }) => `${host}:${port}`)).toEqual(['n1:7000', 'n2:7001']);
    expect(both.rolesShared).toBe(true);
    expect(both.queue.minReplicas).toBe(1);
    expect(load({ REDIS_QUEUE_CLUSTER_NODES: 'n1:7000', REDIS_QUEUE_MIN_REPLICAS: '2' }).queue.minReplicas).toBe(2);
    expect(load({ REDIS_QUEUE_CLUSTER_NODES: 'n1:7000', REDIS_QUEUE_MIN_REPLICAS: '0' }).queue.minReplicas).toBe(0);

    const cacheOnly = load({ REDIS_CACHE_CLUSTER_NODES: 'n1:7000' });
    expect(cacheOnly.roles.cache.kind).toBe('cluster');
    expect(cacheOnly.roles.queue.kind).toBe('standalone');
    expect(cacheOnly.rolesShared).toBe(false);
    expect(cacheOnly.queue.minReplicas).toBe(0);
  });

  it('a role with Sentinel and Cluster at once is a config error', () => {
    expect(() => load({ REDIS_CLUSTER_NODES: 'n:7000', REDIS_QUEUE_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' })).toThrow(
      /REDIS_CLUSTER_NODES: the queue role uses Sentinel and Cluster at once/,
    );
    expect(() => load({ REDIS_CLUSTER_NODES: 'n' })).toThrow(/REDIS_CLUSTER_NODES: must be empty or host:port items/);
  });
});

describe('redis roles: endpoints', () => {
  it('parses sentinel lists, IPv6 in brackets, and refuses bad items', () => {
    expect(parseAddresses('a:1, [::1]:26379')).toEqual([
      { host: 'a', port: 1 },
      { host: '::1', port: 26379 },
    ]);
    expect(parseAddresses('a')).toBeUndefined();
    expect(parseAddresses('a:0')).toBeUndefined();
    expect(parseAddresses('a:70000')).toBeUndefined();
  });

  it('describes an endpoint without its password; Sentinel options take the password and db from the URL', () => {
    expect(describeEndpoint({ kind: 'standalone', url: 'redis://u:secret@h:6379/1' })).toBe('redis://h:6379/1');
    const sentinel = { kind: 'sentinel', sentinels: [{ host: 's', port: 26379 }], name: 'm', url: 'redis://:secret@ignored:1/3' } as const;
    expect(describeEndpoint(sentinel)).toBe('sentinel m@s:26379');
    expect(endpointOptions(sentinel)).toEqual({ sentinels: [{ host: 's', port: 26379 }], name: 'm', password: 'secret', db: 3 });
    const cluster = { kind: 'cluster', nodes: [{ host: 'n', port: 7000 }], url: 'rediss://user:secret@ignored:1' } as const;
    expect(describeEndpoint(cluster)).toBe('cluster n:7000');
    expect(clusterNodeOptions(cluster)).toEqual({ username: 'user', password: 'secret', tls: {} });
  });
});
