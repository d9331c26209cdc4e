/** Several app processes on one machine (`APP_PROCESSES`): the primary that forks, supervises and drains them. */
export { clusterConfig } from './cluster.config';
export type { ClusterConfig } from './cluster.config';
export { ClusterPrimary } from './cluster.primary';
export type { ClusterPrimaryOptions } from './cluster.primary';
export { runPrimary } from './run-primary';
