import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
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
  return applyDecorators(Controller(`${ADMIN_PATH}/${path}`), UseGuards(AdminAuthGuard), Criticality('critical'));
}
