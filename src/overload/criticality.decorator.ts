import { SetMetadata } from '@nestjs/common';
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
export const Criticality = (level: Level): ClassDecorator & MethodDecorator => SetMetadata(CRITICALITY, level);
