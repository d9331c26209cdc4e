import { CanActivate, ExecutionContext, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { LogThrottle } from '../logging';
import { AdminUnauthorizedError } from './admin.errors';
import { AdminTokenVerifier } from './admin-token.verifier';

/**
 * Guards every admin route (`@AdminController()` applies it). No ADMIN_TOKEN configured: 404,
 * exactly as for a route that does not exist (the admin API is off, not open). A missing,
 * malformed or wrong bearer token: 401 `E_ADMIN_UNAUTHORIZED` with `WWW-Authenticate`, before
 * any pipe or handler runs, so nothing changes; logged as a warning (method, path, client
 * address, why; never the token), at most 5 lines a second with the count of lines left out.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly logger = new Logger('AdminAuth');
  private readonly throttle = new LogThrottle(5, 5);

  constructor(private readonly verifier: AdminTokenVerifier) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.verifier.enabled) throw new NotFoundException(`Cannot ${request.method} ${request.url.split('?')[0]}`);
    const failure = this.verifier.check(request.headers.authorization);
    if (failure === undefined) return true;
    const suppressed = this.throttle.take();
    if (suppressed !== undefined) {
      this.logger.warn(
        { failure, method: request.method, path: request.url.split('?')[0], ip: request.ip, requestId: request.id, suppressed },
        `admin request refused: ${failure} token`,
      );
    }
    throw new AdminUnauthorizedError(failure);
  }
}
