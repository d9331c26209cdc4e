/** HTTP edge pieces shared by the kit: errors as problem+json, validation, request ids, route matching, id parameters. */
export { ApiError, ConflictError, DependencyUnavailableError, RequestValidationError, ResourceNotFoundError } from './http.errors';
export type { ApiErrorOptions } from './http.errors';
export { PROBLEM_CONTENT_TYPE, problemDetailsSchema } from './problem.types';
export type { FieldProblem, ProblemDetails } from './problem.types';
export { ProblemDetailsFilter, frameworkErrorHandler, sendProblem } from './problem-details.filter';
export { toProblem } from './problem.mapper';
export { sendRawProblem } from './raw-problem';
export { REQUEST_ID_HEADER, requestIdFrom } from './request-id';
export { compileRoutePattern } from './route-matcher';
export type { RouteMatcher } from './route-matcher';
export { ApiRoute, ROUTE_CONTRACT, describeRoute, describes, routeContractParts } from './route-contract';
export type {
  ApiRouteSpec,
  ProblemSpec,
  RequestHeaderSpec,
  ResponseHeaderSpec,
  ResponseSpec,
  RouteContract,
  SecuritySchemeSpec,
  SuccessSpec,
} from './route-contract';
export { RouteMethods } from './route-methods';
export { joinPaths } from './route-path';
export { ZodValidationPipe } from './zod-validation.pipe';
export { ID_MESSAGE, MAX_ID, idFieldSchema, idParamSchema, parseIdParam } from './id-param';
export { pageCursorParam, pageLimitParam } from './page-params';
