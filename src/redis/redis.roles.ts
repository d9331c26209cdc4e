import type { RedisOptions } from 'ioredis';

/**
 * Which Redis a connection talks to; a role is chosen wherever a client is made
 * (`RedisClientFactory.create(role, …)`).
 *
 * - `cache`: what may be lost or evicted: L2 entries, fill locks, the invalidation bus, hot keys
 *   (`REDIS_CACHE_*`; an `allkeys-lru`/`allkeys-lfu` Redis with a `maxmemory`).
 * - `queue`: what must not be: write state, BullMQ queues (write-behind and `src/jobs/`), switch
 *   overrides (`REDIS_QUEUE_*`; `noeviction`, AOF, replicas confirmed with `WAIT`).
 */
export type RedisRole = 'cache' | 'queue';

/** Every role, in the order health reports them. */
export const REDIS_ROLES: readonly RedisRole[] = ['cache', 'queue'];

/** One server's address: a sentinel, or a cluster node. */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Where a role connects: one server by URL, the primary `name` that the
 * sentinels point to, or a Redis Cluster found through some of its `nodes`
 * (with Sentinel and Cluster the URL gives only the user, password and TLS;
 * Cluster has no database number).
 */
export type RedisEndpoint =
  | { readonly kind: 'standalone'; readonly url: string }
  | { readonly kind: 'sentinel'; readonly sentinels: readonly NodeAddress[]; readonly name: string; readonly url: string }
  | { readonly kind: 'cluster'; readonly nodes: readonly NodeAddress[]; readonly url: string };

/** `host:port,host:port` → addresses; undefined when an item is not `host:port`. */
export function parseAddresses(list: string): NodeAddress[] | undefined {
  const out: NodeAddress[] = [];
  for (const item of list.split(',').map((s) => s.trim())) {
    const match = /^([^\s:]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(item);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) return undefined;
    out.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
  }
  return out;
}

/** True when both endpoints reach the same Redis (same URL, or same sentinels and name). */
export function sameEndpoint(a: RedisEndpoint, b: RedisEndpoint): boolean {
  return describeEndpoint(a) === describeEndpoint(b) && a.url === b.url;
}

/** The endpoint for logs and health, without its password: `redis://host:6379/0`, `sentinel mymaster@h1:26379,h2:26379` or `cluster h1:6379,h2:6379`. */
export function describeEndpoint(endpoint: RedisEndpoint): string {
  const list = (addresses: readonly NodeAddress[]) => addresses.map((s) => `${s.host}:${s.port}`).join(',');
  if (endpoint.kind === 'sentinel') return `sentinel ${endpoint.name}@${list(endpoint.sentinels)}`;
  if (endpoint.kind === 'cluster') return `cluster ${list(endpoint.nodes)}`;
  const url = new URL(endpoint.url);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
}

/**
 * The ioredis options that say where to connect: `url` for a standalone
 * server (ioredis and BullMQ both take `new Redis(url, rest)`), or
 * `sentinels` + `name` (+ password and db from the URL) through Sentinel, where
 * every (re)connection asks the sentinels for the current primary and checks
 * its role, so a connection follows a failover by itself.
 */
export function endpointOptions(endpoint: Exclude<RedisEndpoint, { kind: 'cluster' }>): RedisOptions & { url?: string } {
  if (endpoint.kind === 'standalone') return { url: endpoint.url };
  const url = new URL(endpoint.url);
  const db = Number(url.pathname.replace(/^\//, '') || '0');
  return {
    sentinels: endpoint.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: endpoint.name,
    ...credentials(url),
    ...(url.protocol === 'rediss:' ? { tls: {}, enableTLSForSentinelMode: true } : {}),
    db: Number.isInteger(db) ? db : 0,
  };
}

/** The options every node connection of a cluster endpoint takes from its URL: user, password, TLS (`rediss:`). */
export function clusterNodeOptions(endpoint: Extract<RedisEndpoint, { kind: 'cluster' }>): RedisOptions {
  const url = new URL(endpoint.url);
  return { ...credentials(url), ...(url.protocol === 'rediss:' ? { tls: {} } : {}) };
}

function credentials(url: URL): Pick<RedisOptions, 'username' | 'password'> {
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}
