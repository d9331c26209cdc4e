import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { describeRoute } from '../http';
import { Criticality } from '../overload';
import { AdminAuthGuard } from './admin-auth.guard';

/** Path prefix of every admin route. */
export const ADMIN_PATH = 'admin';

/**
 * Declares a controller of the admin API: its routes live under `/admin/<path>` and sit behind
 * the bearer-token guard, and are `critical` for overload protection (never refused). Adding an admin endpoint = a controller with this decorator, listed in
 * `AdminModule`'s controllers (or in any module that imports `AdminModule`).
 *
 * @example
 * ```ts
 * @AdminController('breakers')
 * export class BreakersAdminController {
 *   constructor(private readonly policies: ResiliencePolicies) {}
 *   @Get() list() { return this.policies.stats(); }
 * }
 * ```
 */
export function AdminController(path: string): ClassDecorator {
  return applyDecorators(Controller(`${ADMIN_PATH}/${path}`), UseGuards(AdminAuthGuard), Criticality('critical'), describeRoute(ADMIN_CONTRACT));
}

/** True for the admin API's paths (`/admin`, `/admin/...`): hidden from 405s and from the OpenAPI document while it is off. */
export function isAdminPath(path: string): boolean {
  return path === `/${ADMIN_PATH}` || path.startsWith(`/${ADMIN_PATH}/`);
}

/** What every admin route adds to its contract: its tag, the bearer scheme and the 401. */
const ADMIN_CONTRACT = {
  tags: ['admin'],
  security: { adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN, as `Authorization: Bearer <token>`.' } },
  problems: [{ status: 401, code: 'E_ADMIN_UNAUTHORIZED', when: 'no `Authorization: Bearer` header, or not the right token' }],
} as const;
