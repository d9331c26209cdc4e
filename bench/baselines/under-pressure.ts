import underPressure from '@fastify/under-pressure';
import { startAppVariant } from './app-variant';

/**
 * Baseline `under-pressure`: the whole app (overload protection off, as the bench sets it) with
 * `@fastify/under-pressure` registered as its README shows: 503 once the event-loop delay passes
 * 1 s or its utilisation 0.98. The README's heap and RSS limits (100 MB) are left out: they are
 * per deployment, and this app's RSS is above them at rest, so they would refuse every request.
 */
startAppVariant({}, (app) => app.register(underPressure, { maxEventLoopDelay: 1000, maxEventLoopUtilization: 0.98 }));
