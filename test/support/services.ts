/**
 * Where the real services of the e2e tests are. Defaults match the local
 * services CI starts; TEST_DATABASE_URL / TEST_REDIS_URL point elsewhere.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Nodes (`host:port,…`) of the Redis Cluster the apps of the `e2e-cluster` project run on (its
 * global setup starts one and sets this); empty: the standalone TEST_REDIS_URL.
 */
export const TEST_REDIS_CLUSTER_NODES = process.env.TEST_REDIS_CLUSTER_NODES ?? '';
