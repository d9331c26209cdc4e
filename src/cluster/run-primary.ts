import cluster from 'node:cluster';
import type { LoadedConfig } from '../config';
import { healthConfig } from '../lifecycle';
import { createRootLogger, loggingConfig } from '../logging';
import { clusterConfig } from './cluster.config';
import { ClusterPrimary } from './cluster.primary';

/** Margin over an app process's own shutdown bound before the primary kills it. */
const KILL_MARGIN_MS = 5_000;
/** A scrape waits this long for each process (the process that took the scrape waits a little longer for the primary). */
const SCRAPE_TIMEOUT_MS = 1_500;

/**
 * Runs this process as the primary of `APP_PROCESSES` app processes (see {@link ClusterPrimary}) until they have all
 * exited after SIGTERM or SIGINT, then exits: 0 when they drained, 1 when some had to be killed.
 */
export function runPrimary(config: LoadedConfig): void {
  const { logger } = createRootLogger(config.get(loggingConfig));
  const primary = new ClusterPrimary(
    cluster,
    { ...config.get(clusterConfig), shutdownTimeoutMs: config.get(healthConfig).shutdownTimeoutMs + KILL_MARGIN_MS, scrapeTimeoutMs: SCRAPE_TIMEOUT_MS },
    logger.child({ context: 'Cluster' }),
  );
  primary.start();
  // Always SIGTERM to the app processes: a Ctrl-C in a terminal already sent them SIGINT, and each handles each signal once.
  process.once('SIGTERM', () => primary.stop('SIGTERM'));
  process.once('SIGINT', () => primary.stop('SIGTERM'));
  void primary.exited.then((code) => process.exit(code));
}
