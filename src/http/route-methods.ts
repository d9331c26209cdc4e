import type { FastifyInstance } from 'fastify';
import { compileRoutePattern, type RouteMatcher } from './route-matcher';

/**
 * The app's routes by path pattern, recorded as Fastify registers them, so
 * that a request whose path exists under other methods gets 405 with
 * `Allow` instead of 404 (`PATCH /products/1`). Patterns the matcher does
 * not understand (wildcards, regex parameters) are left out: such a path
 * keeps its 404.
 */
export class RouteMethods {
  private readonly routes: Array<{ readonly method: string; readonly match: RouteMatcher }> = [];

  /** @param hidden URL patterns whose existence must not show (a disabled admin API answers 404 to every method). */
  constructor(private readonly hidden: (url: string) => boolean = () => false) {}

  /** Records every route `fastify` registers from now on; call before the routes are registered (`app.init()`). */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      const match = this.hidden(route.url) ? undefined : compileRoutePattern(route.url);
      if (!match) return;
      for (const method of Array.isArray(route.method) ? route.method : [route.method]) this.routes.push({ method: String(method), match });
    });
  }

  /** The methods `path` (without its query) is routed for, sorted; empty when none. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) if (route.match(path) !== undefined) methods.add(route.method);
    return [...methods].sort();
  }
}
