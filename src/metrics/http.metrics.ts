import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { HttpRequestsMetric, UNMATCHED_ROUTE } from './http-requests.metric';
import type { MetricsCollector } from './metrics.types';

type HookDone = (error?: Error) => void;

/**
 * Measures HTTP: what Fastify answers in Fastify hooks, and the L1 fast
 * path's answers (given on the raw request, before Fastify) through the
 * recorders it takes from {@link HttpMetrics.recorder}:
 *
 * - `onRoute`: each route gets its own `onResponse` hook bound to its
 *   template, so a request costs no route lookup, no `routeOptions` object
 *   and no label object; unmatched requests are counted by one root hook
 *   under `route="unmatched"`.
 * - Duration is Fastify's `reply.elapsedTime` (from `performance.now()` when
 *   the request arrived, before any hook), so no clock is read here.
 * - In-flight is read on scrape from the app's own raw-request counter
 *   ({@link HttpMetrics.countInFlightWith}, wired in `app.factory.ts`).
 *
 * Installed only when `METRICS_ENABLED` is true.
 */
@Injectable()
export class HttpMetrics implements MetricsCollector {
  private readonly requests = new HttpRequestsMetric();

  /** The in-flight gauge reads `source` (requests received and not yet closed, answered or aborted). */
  countInFlightWith(source: () => number): void {
    this.requests.countInFlightWith(source);
  }

  /** A recorder of answers to `route` (a template) given outside Fastify: the L1 fast path's. */
  readonly recorder = (route: string): ((method: string, statusCode: number, seconds: number) => void) => this.requests.recorder(route);

  register(registry: Registry): void {
    this.requests.register(registry);
  }

  /** Distinct `route` label values so far. */
  routeLabels(): string[] {
    return this.requests.routeLabels();
  }

  /** Adds the `onRoute` and root `onResponse` hooks to `fastify`; call before routes are registered (before `app.init()`). */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      const record = this.requests.recorder(route.url);
      const hook = (request: FastifyRequest, reply: FastifyReply, done: HookDone): void => {
        record(request.method, reply.statusCode, reply.elapsedTime / 1000);
        done();
      };
      const existing = route.onResponse;
      route.onResponse = existing === undefined ? [hook] : [...(Array.isArray(existing) ? existing : [existing]), hook];
    });
    const unmatched = this.requests.recorder(UNMATCHED_ROUTE);
    fastify.addHook('onResponse', (request, reply, done) => {
      if (request.is404) unmatched(request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }
}
