import { Module } from '@nestjs/common';
import { loggingConfig } from './logging.config';
import { LogSummaryFlusher } from './log-summary.flusher';
import { ROOT_LOGGER } from './logging.tokens';
import { createRootLogger } from './root-logger';

/** Provides the root pino logger (with its rate limiter) and flushes its summaries. */
@Module({
  providers: [{ provide: ROOT_LOGGER, inject: [loggingConfig.token], useFactory: createRootLogger }, LogSummaryFlusher],
  exports: [ROOT_LOGGER],
})
export class RootLoggerModule {}
