import {
  Controller,
  Get,
  Injectable,
  Module,
  Param,
  UseGuards,
  UseInterceptors,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { Cached } from '../../src/cache/cached.decorator';

/**
 * Test-only features whose `@Cached()` GET routes have enhancers the L1 fast path does not
 * reproduce, so it must leave them to Nest:
 * - `GET /guarded-controller/:id`: a guard on the controller;
 * - `GET /guarded-route/:id`: a guard on the route;
 * - `GET /stamped/:id`: a controller interceptor that adds `x-stamped: yes`.
 * The guards let a request in while {@link access}`.open` is true, so a test can fill the cache
 * and then close the door.
 */
export const access = { open: true };

@Injectable()
export class DoorGuard implements CanActivate {
  canActivate(): boolean {
    return access.open;
  }
}

@Injectable()
class StampInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    void context.switchToHttp().getResponse<FastifyReply>().header('x-stamped', 'yes');
    return next.handle();
  }
}

@Controller('guarded-controller')
@UseGuards(DoorGuard)
class GuardedControllerController {
  @Get(':id')
  @Cached({ key: 'guarded-controller:{id}', ttlMs: 60_000 })
  get(@Param('id') id: string): { id: string } {
    return { id };
  }
}

@Controller('guarded-route')
class GuardedRouteController {
  @Get(':id')
  @UseGuards(DoorGuard)
  @Cached({ key: 'guarded-route:{id}', ttlMs: 60_000 })
  get(@Param('id') id: string): { id: string } {
    return { id };
  }
}

@Controller('stamped')
@UseInterceptors(StampInterceptor)
class StampedController {
  @Get(':id')
  @Cached({ key: 'stamped:{id}', ttlMs: 60_000 })
  get(@Param('id') id: string): { id: string } {
    return { id };
  }
}

@Module({ controllers: [GuardedControllerController, GuardedRouteController, StampedController], providers: [DoorGuard, StampInterceptor] })
export class GuardedFeatureModule {}

/** The bearer token {@link BearerGuard} lets in. */
export const BEARER = 'Bearer let-me-in';

/** A global authentication guard: only requests with `authorization: Bearer let-me-in` get in. */
@Injectable()
export class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<FastifyRequest>().headers.authorization === BEARER;
  }
}

/** {@link BearerGuard} as an `APP_GUARD` provider: guards every route of the app. */
@Module({ providers: [{ provide: APP_GUARD, useClass: BearerGuard }] })
export class GlobalBearerGuardModule {}
