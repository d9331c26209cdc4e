/**
 * Setup file of the `e2e-cluster` project (runs in each of its test files before the test
 * modules load): the cluster of `cluster-global-setup.ts` becomes TEST_REDIS_CLUSTER_NODES, which
 * `testEnv` hands to every test app as REDIS_CLUSTER_NODES. Jest gives each test file its own
 * copy of process.env, so the `e2e` project keeps the standalone Redis.
 */
const nodes = process.env.BULWARK_E2E_CLUSTER_NODES;
// Never a silent standalone run of the cluster project.
if (!nodes) throw new Error('e2e-cluster: BULWARK_E2E_CLUSTER_NODES is not set (test/support/cluster-global-setup.ts starts the cluster)');
process.env.TEST_REDIS_CLUSTER_NODES = nodes;
