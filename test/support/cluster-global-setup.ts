import { ThrowawayRedisCluster } from './redis-cluster';

/** The cluster of the `e2e-cluster` project, kept for {@link ./cluster-global-teardown}. */
declare global {
  var bulwarkTestCluster: ThrowawayRedisCluster | undefined;
}

/**
 * Global setup of the `e2e-cluster` project: dist/ current (as for `e2e`), one
 * ThrowawayRedisCluster for the whole run, its nodes in BULWARK_E2E_CLUSTER_NODES. Not
 * TEST_REDIS_CLUSTER_NODES itself: every project's global setup runs in Jest's main process
 * before any test, so that would put the `e2e` project's apps on the cluster too.
 * `cluster-env.ts` (a setup file of this project only) copies it for each test file.
 */
export default async function clusterGlobalSetup(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  await (require('./global-setup.js') as () => Promise<void>)();
  const cluster = await ThrowawayRedisCluster.start();
  globalThis.bulwarkTestCluster = cluster;
  process.env.BULWARK_E2E_CLUSTER_NODES = cluster.nodesVar;
}
