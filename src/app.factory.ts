import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { CacheFastPath } from './cache/cache-fast-path';
import { appConfig } from './config/app.config';
import type { LoadedConfig } from './config/config.loader';
import { HttpMetrics } from './metrics/http.metrics';
import { MetricsService } from './metrics/metrics.service';
import { frameworkErrorHandler, ProblemDetailsFilter } from './http/problem-details.filter';
import { REQUEST_ID_HEADER, requestIdFrom } from './http/request-id';

/**
 * Builds the Nest application on Fastify from validated config, ready to
 * `listen()`. `main.ts` and the e2e tests both start the app through here,
 * so tests run exactly what production runs.
 */
export async function createApp(config: LoadedConfig): Promise<NestFastifyApplication> {
  const { bodyLimitBytes } = config.get(appConfig);
  const adapter = new FastifyAdapter({
    bodyLimit: bodyLimitBytes,
    genReqId: requestIdFrom,
    frameworkErrors: frameworkErrorHandler,
    // Fastify's own logger stays off: nestjs-pino writes the one request line.
    logger: false,
  });
  // bodyParser: false keeps Nest from adding its JSON and form parsers; Fastify's own JSON
  // parser (with bodyLimit) is the only one, so any other content type gets 415.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.useGlobalFilters(new ProblemDetailsFilter());
  const fastify = app.getHttpAdapter().getInstance();
  // Fastify's default text/plain parser would hand validation a string: JSON only.
  fastify.removeContentTypeParser('text/plain');
  // The adapter's own onRequest hook runs first of all, before Nest's middleware: the request id
  // is set for every response, and fresh L1 hits are answered there (see CacheFastPath).
  const fastPath = app.get(CacheFastPath);
  if (app.get(MetricsService).enabled) {
    // HTTP metrics in Fastify hooks, so fast-path answers are counted too (see HttpMetrics).
    // With METRICS_ENABLED=false none of this is installed.
    const httpMetrics = app.get(HttpMetrics);
    httpMetrics.install(fastify);
    const requestStarted = httpMetrics.requestStarted;
    adapter.setOnRequestHook((request, reply, done) => {
      requestStarted(reply.raw);
      void reply.header(REQUEST_ID_HEADER, request.id);
      fastPath.onRequest(request, reply, done);
    });
  } else {
    adapter.setOnRequestHook((request, reply, done) => {
      void reply.header(REQUEST_ID_HEADER, request.id);
      fastPath.onRequest(request, reply, done);
    });
  }
  return app;
}
