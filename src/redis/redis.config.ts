import { z } from 'zod';
import { boolVar, defineConfig, type ConfigOf, intVar, urlVar } from '../config';
import { type RedisEndpoint, type RedisRole, parseAddresses, sameEndpoint } from './redis.roles';

const PROTOCOLS = ['redis:', 'rediss:'];

/** A per-role URL: empty means REDIS_URL. */
function roleUrlVar(role: RedisRole) {
  return z
    .string()
    .default('')
    .refine(
      (v) => {
        if (v === '') return true;
        try {
          return PROTOCOLS.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { error: 'must be empty (REDIS_URL) or a URL starting with redis:// or rediss://' },
    )
    .describe(`Redis of the ${role} role (${ROLE_USES[role]}); empty: REDIS_URL.`);
}

/** A sentinel or cluster node list: empty, or `host:port` items separated by commas. */
function addressesVar(description: string) {
  return z
    .string()
    .default('')
    .refine((v) => v === '' || parseAddresses(v) !== undefined, { error: 'must be empty or host:port items separated by commas (port 1-65535)' })
    .describe(description);
}

/** What each role holds (the config table says it). */
const ROLE_USES: Readonly<Record<RedisRole, string>> = {
  cache: 'L2 entries, fill locks, the invalidation bus, hot keys: may be evicted',
  queue: 'write state, BullMQ queues and jobs, switch overrides: must never be evicted',
};

const schema = z
  .object({
    REDIS_URL: urlVar('redis://127.0.0.1:6379', PROTOCOLS).describe(
      'Redis connection URL: the default of both roles (REDIS_CACHE_URL, REDIS_QUEUE_URL). With Sentinel, only its password and database number are used.',
    ),
    REDIS_CACHE_URL: roleUrlVar('cache'),
    REDIS_QUEUE_URL: roleUrlVar('queue'),
    REDIS_SENTINELS: addressesVar('Sentinels (host:port,host:port) both roles connect through, to the primary named REDIS_SENTINEL_NAME; empty: no Sentinel.'),
    REDIS_SENTINEL_NAME: z
      .string()
      .default('')
      .describe('Name of the primary the sentinels watch (their `sentinel monitor <name>`); required with REDIS_SENTINELS.'),
    REDIS_CACHE_SENTINELS: addressesVar('Sentinels of the cache role (overrides REDIS_SENTINELS for it).'),
    REDIS_CACHE_SENTINEL_NAME: z.string().default('').describe('Primary name of the cache role (overrides REDIS_SENTINEL_NAME for it).'),
    REDIS_QUEUE_SENTINELS: addressesVar('Sentinels of the queue role (overrides REDIS_SENTINELS for it).'),
    REDIS_QUEUE_SENTINEL_NAME: z.string().default('').describe('Primary name of the queue role (overrides REDIS_SENTINEL_NAME for it).'),
    REDIS_CLUSTER_NODES: addressesVar(
      'Some nodes (host:port,host:port) of a Redis Cluster both roles use (ioredis Cluster finds the rest); empty: no Cluster. Not with Sentinel for the same role.',
    ),
    REDIS_CACHE_CLUSTER_NODES: addressesVar('Cluster nodes of the cache role (overrides REDIS_CLUSTER_NODES for it).'),
    REDIS_QUEUE_CLUSTER_NODES: addressesVar('Cluster nodes of the queue role (overrides REDIS_CLUSTER_NODES for it).'),
    REDIS_QUEUE_REQUIRE_NOEVICTION: boolVar(false).describe(
      'Refuse to start (exit 1) unless the queue Redis reports maxmemory-policy noeviction; when false, another policy (or one that cannot be read) is a boot warning and a /health/ready detail.',
    ),
    REDIS_QUEUE_MIN_REPLICAS: z.coerce
      .number({ error: 'must be an integer' })
      .int({ error: 'must be an integer' })
      .min(0)
      .max(16)
      .optional()
      .describe(
        'Replicas that must confirm each write and job add (WAIT) before it is acknowledged, and each batch before workers flush it; fewer in time: 503 (the write may still land). On a cluster WAIT goes to the primary of each slot written. Unset: 1 when the queue role uses Sentinel or Cluster (both fail over to replicas, so each primary is expected to have one; set 0 for a cluster without replicas, whose writes would all answer 503), else 0 (no WAIT).',
      ),
    REDIS_QUEUE_WAIT_TIMEOUT_MS: intVar(500, 1, 60_000).describe(
      'How long a write waits for REDIS_QUEUE_MIN_REPLICAS replicas to confirm before it answers 503.',
    ),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_.-]{1,64}$/, { error: 'must be 1-64 characters of A-Z a-z 0-9 : _ . -' })
      .default('bulwark:')
      .describe('Prefix of every key this app writes; nothing outside it is ever touched.'),
    REDIS_CONNECT_TIMEOUT_MS: intVar(2000, 50).describe('Timeout of one connection attempt.'),
    REDIS_RETRY_MAX_DELAY_MS: intVar(5000, 50).describe('Cap of the jittered backoff between reconnection attempts.'),
  })
  .superRefine((env, ctx) => {
    for (const role of ['cache', 'queue'] as const) {
      const { sentinels, name, nameVar } = sentinelVars(env, role);
      if (sentinels !== '' && name === '') ctx.addIssue({ code: 'custom', path: [nameVar], message: `is required when the ${role} role uses Sentinel` });
      const cluster = clusterVar(env, role);
      if (sentinels !== '' && cluster.nodes !== '') {
        ctx.addIssue({ code: 'custom', path: [cluster.nodesVar], message: `the ${role} role uses Sentinel and Cluster at once: set one of them` });
      }
    }
  });

type RedisEnv = z.output<typeof schema>;

/** The sentinel list and primary name of `role`: its own variables, else the shared ones. */
function sentinelVars(env: RedisEnv, role: RedisRole): { sentinels: string; name: string; nameVar: string } {
  const own =
    role === 'cache' ? { s: env.REDIS_CACHE_SENTINELS, n: env.REDIS_CACHE_SENTINEL_NAME } : { s: env.REDIS_QUEUE_SENTINELS, n: env.REDIS_QUEUE_SENTINEL_NAME };
  if (own.s !== '') return { sentinels: own.s, name: own.n || env.REDIS_SENTINEL_NAME, nameVar: `REDIS_${role.toUpperCase()}_SENTINEL_NAME` };
  return { sentinels: env.REDIS_SENTINELS, name: own.n || env.REDIS_SENTINEL_NAME, nameVar: 'REDIS_SENTINEL_NAME' };
}

/** The cluster node list of `role`: its own variable, else the shared one. */
function clusterVar(env: RedisEnv, role: RedisRole): { nodes: string; nodesVar: string } {
  const own = role === 'cache' ? env.REDIS_CACHE_CLUSTER_NODES : env.REDIS_QUEUE_CLUSTER_NODES;
  return own !== ''
    ? { nodes: own, nodesVar: `REDIS_${role.toUpperCase()}_CLUSTER_NODES` }
    : { nodes: env.REDIS_CLUSTER_NODES, nodesVar: 'REDIS_CLUSTER_NODES' };
}

function endpointOf(env: RedisEnv, role: RedisRole): RedisEndpoint {
  const url = (role === 'cache' ? env.REDIS_CACHE_URL : env.REDIS_QUEUE_URL) || env.REDIS_URL;
  const { sentinels, name } = sentinelVars(env, role);
  const { nodes } = clusterVar(env, role);
  if (nodes !== '') return { kind: 'cluster', nodes: parseAddresses(nodes) ?? [], url };
  if (sentinels === '') return { kind: 'standalone', url };
  return { kind: 'sentinel', sentinels: parseAddresses(sentinels) ?? [], name, url };
}

/**
 * The Redis connections: two roles, `cache` (L2, locks, bus, hot keys: an
 * evicting Redis is fine) and `queue` (write state, BullMQ, switch overrides:
 * `noeviction`, AOF, replicas confirmed with WAIT), each standalone, through
 * Sentinel or a Redis Cluster; by default both are REDIS_URL. See {@link RedisRole}.
 */
export const redisConfig = defineConfig('redis', schema, (env) => {
  const roles = { cache: endpointOf(env, 'cache'), queue: endpointOf(env, 'queue') };
  return {
    url: env.REDIS_URL,
    roles,
    /** Both roles reach the same Redis: one shared command client serves both. */
    rolesShared: sameEndpoint(roles.cache, roles.queue),
    keyPrefix: env.REDIS_KEY_PREFIX,
    connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS,
    retryMaxDelayMs: env.REDIS_RETRY_MAX_DELAY_MS,
    queue: {
      requireNoeviction: env.REDIS_QUEUE_REQUIRE_NOEVICTION,
      // Sentinel and Cluster exist to fail over to a replica: a write a replica does not hold is lost then.
      minReplicas: env.REDIS_QUEUE_MIN_REPLICAS ?? (roles.queue.kind === 'standalone' ? 0 : 1),
      waitTimeoutMs: env.REDIS_QUEUE_WAIT_TIMEOUT_MS,
    },
  };
});
export type RedisConfig = ConfigOf<typeof redisConfig>;
