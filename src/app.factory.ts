import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { isAdminPath } from './admin';
import { AppModule } from './app.module';
import { CacheFastPath } from './cache';
import { appConfig, type LoadedConfig, ConfigValidationError } from './config';
import { healthConfig, ShuttingDownError, HttpDrain, ShutdownSequence, WiringError } from './lifecycle';
import { InFlightCounter } from './degradation';
import { OverloadProtection } from './overload';
import { HttpMetrics, MetricsService } from './metrics';
import { QueueEvictionPolicyError } from './redis';
import { frameworkErrorHandler, ProblemDetailsFilter, sendProblem, REQUEST_ID_HEADER, requestIdFrom, RouteMethods } from './http';
import { WiringCheck, resolutionProblem } from './wiring';

/** Fastify's default keep-alive timeout, which it sets only on servers it creates itself. */
const FASTIFY_KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** What {@link createApp} may add to the app. */
export interface CreateAppOptions {
  /** Feature modules loaded after the app's own (see `AppModule.forRoot`); tests use it for test-only features. */
  readonly modules?: ReadonlyArray<Type | DynamicModule>;
}

/**
 * Builds the Nest application on Fastify from validated config, ready to
 * `listen()`. `main.ts` and the e2e tests both start the app through here,
 * so tests run exactly what production runs.
 */
export async function createApp(config: LoadedConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const { bodyLimitBytes } = config.get(appConfig);
  // On the raw request, before Fastify: every request is counted in flight (load shedding), fresh
  // L1 hits are answered (see CacheFastPath), and the rest passes overload protection (see
  // OverloadProtection), which runs Fastify's handler now, later (queued) or never (503). The
  // providers exist only once Nest has built the module graph, hence the late binding.
  type RawHandler = (req: IncomingMessage, res: ServerResponse) => void;
  let onRawRequest = (req: IncomingMessage, res: ServerResponse, next: RawHandler): void => next(req, res);
  // Shutdown on the HTTP server: Connection: close from the signal on, silent connections closed
  // and the wait for requests in flight bounded when the listener closes (see HttpDrain).
  const drain = new HttpDrain(config.get(healthConfig).httpGraceMs);
  const adapter = new FastifyAdapter({
    serverFactory: (handler: RawHandler) => {
      const server = createServer({ ServerResponse: drain.ServerResponse }, (req, res) => onRawRequest(req, res, handler));
      drain.attach(server);
      // What Fastify sets on the server it builds itself (its defaults).
      server.keepAliveTimeout = FASTIFY_KEEP_ALIVE_TIMEOUT_MS;
      server.requestTimeout = 0;
      return server;
    },
    bodyLimit: bodyLimitBytes,
    genReqId: requestIdFrom,
    frameworkErrors: frameworkErrorHandler,
    // Requests that reach Fastify once it is closing get the 503 problem of the onRequest hook
    // below, not Fastify's own 503 (a fixed body, no problem, no Retry-After).
    return503OnClosing: false,
    // Fastify's own logger stays off: nestjs-pino writes the one request line.
    logger: false,
  });
  // bodyParser: false keeps Nest from adding its JSON and form parsers; Fastify's own JSON
  // parser (with bodyLimit) is the only one, so any other content type gets 415.
  // abortOnError: false and autoFlushLogs: false make a container that cannot be built throw here
  // instead of Nest logging it (with its stack) and exiting: the caller reports it once, and a
  // wiring mistake as a WiringError.
  let app: NestFastifyApplication;
  try {
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.modules), adapter, {
      bufferLogs: true,
      bodyParser: false,
      abortOnError: false,
      autoFlushLogs: false,
    });
  } catch (error) {
    const problem = resolutionProblem(error);
    throw problem === undefined ? error : new WiringError([problem]);
  }
  // Every provider exists and no init hook has run: a wrong name fails the boot before migrations, workers and start-up work.
  app.get(WiringCheck).assert();
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const fastify = app.getHttpAdapter().getInstance();
  // Routes are registered at init; recording them from here lets a wrong method get 405 + Allow.
  // Admin paths are left out: with no ADMIN_TOKEN the admin API must look absent to every method.
  const routes = new RouteMethods(isAdminPath);
  routes.install(fastify);
  app.useGlobalFilters(new ProblemDetailsFilter(routes));
  // Fastify's default text/plain parser would hand validation a string: JSON only.
  fastify.removeContentTypeParser('text/plain');
  // The adapter's own onRequest hook runs first of all, before Nest's middleware: the request id
  // is echoed on every response.
  adapter.setOnRequestHook((request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    // The listener is closing: a request still arriving on a connection opened before is not
    // processed (the fast path is already off: CacheFastPath.onModuleDestroy runs before HTTP closes).
    if (drain.closing) return sendProblem(request, reply, new ShuttingDownError());
    done();
  });
  app.get(ShutdownSequence).onDrain(() => drain.begin());
  fastify.addHook('preClose', (done) => {
    drain.close();
    done();
  });
  const inFlight = app.get(InFlightCounter);
  const fastPath = app.get(CacheFastPath);
  if (app.get(MetricsService).enabled) {
    // HTTP metrics: Fastify hooks per route for what Fastify answers, the fast path's own
    // recorder for its answers, in flight from the raw-request counter below. With
    // METRICS_ENABLED=false none of this is installed.
    const httpMetrics = app.get(HttpMetrics);
    httpMetrics.install(fastify);
    fastPath.observe(httpMetrics.recorder);
    httpMetrics.countInFlightWith(() => inFlight.current);
  }
  const overload = app.get(OverloadProtection);
  onRawRequest = (req, res, next) => {
    inFlight.enter(res);
    if (!fastPath.serve(req, res)) overload.handle(req, res, next);
  };
  return app;
}

/**
 * What to print when the boot fails: the message alone for a bad config, a wiring mistake or an
 * evicting queue Redis refused by REDIS_QUEUE_REQUIRE_NOEVICTION (it names every problem and its
 * fix; a stack would point into the kit), the stack for anything else.
 */
export function bootFailureMessage(error: unknown): string {
  if (error instanceof ConfigValidationError || error instanceof WiringError || error instanceof QueueEvictionPolicyError) return error.message;
  return (error as Error)?.stack ?? String(error);
}
