import { ThrowawayRedisCluster } from './redis-cluster';

/** The cluster of the `e2e-cluster` project, kept for {@link ./cluster-global-teardown}. */
declare global {
  var bulwarkTestCluster: ThrowawayRedisCluster | undefined;
}

/**
 * Global setup of the `e2e-cluster` project: dist/ current (as for `e2e`), one
 * ThrowawayRedisCluster for the whole run, its nodes in TEST_REDIS_CLUSTER_NODES, which
 * `testEnv` hands to every test app (in process and spawned) as REDIS_CLUSTER_NODES.
 */
export default async function clusterGlobalSetup(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  await (require('./global-setup.js') as () => Promise<void>)();
  const cluster = await ThrowawayRedisCluster.start();
  globalThis.bulwarkTestCluster = cluster;
  process.env.TEST_REDIS_CLUSTER_NODES = cluster.nodesVar;
}
