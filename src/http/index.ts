/** HTTP edge pieces shared by the kit: errors as problem+json, validation, request ids, route matching. */
export { ApiError, ConflictError, DependencyUnavailableError, RequestValidationError, ResourceNotFoundError } from './http.errors';
export type { ApiErrorOptions } from './http.errors';
export { ProblemDetailsFilter, frameworkErrorHandler, sendProblem } from './problem-details.filter';
export { sendRawProblem } from './raw-problem';
export { REQUEST_ID_HEADER, requestIdFrom } from './request-id';
export { compileRoutePattern } from './route-matcher';
export type { RouteMatcher } from './route-matcher';
export { RouteMethods } from './route-methods';
export { joinPaths } from './route-path';
export { ZodValidationPipe } from './zod-validation.pipe';
