import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectConfig } from '../config';
import { loggingConfig, type LoggingConfig } from './logging.config';
import { ROOT_LOGGER } from './logging.tokens';
import type { RootLogger } from './root-logger';

/**
 * Every `LOG_RATE_LIMIT_WINDOW_MS`, writes one summary line per template
 * that lost lines to the rate limit in that window (with the exact count),
 * and once more at shutdown so that no count is lost.
 */
@Injectable()
export class LogSummaryFlusher implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(ROOT_LOGGER) private readonly root: RootLogger,
    @InjectConfig(loggingConfig) private readonly config: LoggingConfig,
  ) {}

  onModuleInit(): void {
    if (this.root.limiter) this.timer = setInterval(() => this.root.flushSummaries(), this.config.rateLimit.windowMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.root.flushSummaries();
  }
}
