import { Logger, type INestApplication } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthConfig } from './health.config';
import { ShutdownSequence } from './shutdown.sequence';

/**
 * On SIGTERM or SIGINT: readiness turns 503 at once (the Service stops
 * sending new traffic), the app keeps serving for `SHUTDOWN_DRAIN_DELAY_MS`
 * while endpoints update (every answer with `Connection: close`, see
 * `HttpDrain`), then Nest closes HTTP (waiting for in-flight requests at most
 * `SHUTDOWN_HTTP_GRACE_MS`), and the {@link ShutdownSequence} closes queues,
 * Redis and PostgreSQL in that order. Exits 0, or 1 past `SHUTDOWN_TIMEOUT_MS`.
 * Liveness keeps answering 200 throughout.
 *
 * Used instead of Nest's `enableShutdownHooks()`, which re-raises the signal
 * after closing and so never exits 0, and has no drain phase.
 */
export function installShutdownHandlers(
  app: INestApplication,
  config: Pick<HealthConfig, 'drainDelayMs' | 'shutdownTimeoutMs'>,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const logger = new Logger('Shutdown');
  let started = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (started) return;
    started = true;
    app.get(ShutdownSequence).beginDrain();
    logger.log(`${signal} received: readiness is 503; draining for ${config.drainDelayMs} ms`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown did not finish within ${config.shutdownTimeoutMs} ms; exiting`);
      exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    sleep(config.drainDelayMs)
      .then(() => app.close())
      .then(() => {
        clearTimeout(deadline);
        logger.log('shutdown complete');
        exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
