import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { loggingConfig, type LoggingConfig } from './logging.config';
import { ROOT_LOGGER } from './logging.tokens';
import { pinoHttpOptions } from './pino-http.options';
import type { RootLogger } from './root-logger';
import { RootLoggerModule } from './root-logger.module';

/**
 * Structured JSON logs through nestjs-pino on the app's root logger
 * (`root-logger.ts`: level, redaction, per-template rate limits): one access
 * line per request (sampled 1 in `LOG_ACCESS_SAMPLE_EVERY`, failures always
 * kept) and every line of a request carrying its id as `reqId` (the id
 * Fastify assigned; an incoming `x-request-id` when valid). Pretty output
 * only when `LOG_PRETTY=true`. Global: `ROOT_LOGGER` for metrics.
 */
@Global()
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [ROOT_LOGGER, loggingConfig.token],
      useFactory: (root: RootLogger, config: LoggingConfig) => ({ pinoHttp: pinoHttpOptions(root, config) }),
    }),
  ],
  exports: [RootLoggerModule],
})
export class LoggingModule {}
