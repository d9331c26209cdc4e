/** Structured, rate-limited logging. */
export { LogThrottle } from './log-throttle';
export { loggingConfig } from './logging.config';
export { LoggingModule } from './logging.module';
export { ROOT_LOGGER } from './logging.tokens';
export { createRootLogger } from './root-logger';
export type { RootLogger } from './root-logger';
