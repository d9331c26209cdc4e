import { applyDecorators, SetMetadata } from '@nestjs/common';
import { describeRoute } from '../http';
import type { Criticality as Level } from './admission';

export const CRITICALITY = 'bulwark:criticality';

/**
 * The class of a route (on a handler) or of every route of a controller (on the class) for
 * overload protection: `critical` routes are never refused, `sheddable` ones are refused first.
 * Without it a route is `essential`, or `sheddable` when it is `@Degradable()` by a non-essential
 * feature.
 *
 * @example `@Criticality('critical') @Controller('health') export class HealthController {}`
 */
export const Criticality = (level: Level): ClassDecorator & MethodDecorator =>
  // The contract part: a critical route is never refused with E_OVERLOADED (the OpenAPI document leaves it out).
  applyDecorators(SetMetadata(CRITICALITY, level), describeRoute({ critical: level === 'critical' }));
