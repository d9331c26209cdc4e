/** Global teardown of the `e2e-cluster` project: stops the cluster its setup started. */
export default async function clusterGlobalTeardown(): Promise<void> {
  await globalThis.bulwarkTestCluster?.stop();
}
