import type { z } from 'zod';

/** A response header of a route's contract. */
export interface ResponseHeaderSpec {
  readonly description: string;
  /** @default a string */
  readonly schema?: z.ZodType;
  /** Sent on every such response. @default false */
  readonly required?: boolean;
}

/** A request header a route reads without a pipe (one with a `ZodValidationPipe` is found by itself). */
export interface RequestHeaderSpec {
  readonly description: string;
  /** The schema that validates it (the same one the code parses with, not a copy). */
  readonly schema: z.ZodType;
}

/** One problem (`application/problem+json`) a route may answer: its status, stable code and when. */
export interface ProblemSpec {
  readonly status: number;
  readonly code: string;
  readonly when: string;
}

/** An HTTP authentication scheme (OpenAPI `type: http`). */
export interface SecuritySchemeSpec {
  readonly type: 'http';
  readonly scheme: 'bearer';
  readonly description?: string;
}

/** A non-problem answer of a route (a probe's 503, a 304). */
export interface ResponseSpec {
  readonly description: string;
  /** Body schema (output side); none for an empty body. */
  readonly schema?: z.ZodType;
  /** @default 'application/json' */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, ResponseHeaderSpec>>;
}

/** The success answer of a route: its body schema, or the body schema with a media type and words. */
export type SuccessSpec = z.ZodType | { readonly schema?: z.ZodType; readonly contentType?: string; readonly description?: string };

/**
 * What a route declares of its HTTP contract beyond what Nest's metadata and its validation pipes
 * already say (method, path, status code, path/query/header parameters and body schemas). Feature
 * routes write it with {@link ApiRoute}; kit decorators (`@Cached`, `@Degradable`,
 * `@UseResilience`, `@AdminController`) add their own part, so a route that uses them documents
 * their headers and problems by itself. The OpenAPI document (`src/openapi/`) merges every part.
 */
export interface RouteContract {
  /** One line: what the route does. */
  readonly summary?: string;
  readonly description?: string;
  /** Groups in the docs page. @default the first path segment */
  readonly tags?: readonly string[];
  /** The success answer (status from `@HttpCode()` or Nest's default: 201 for POST, else 200). */
  readonly response?: SuccessSpec;
  /** Headers of the success answer (`ETag`, `Location`, `x-cache`). */
  readonly headers?: Readonly<Record<string, ResponseHeaderSpec>>;
  /** Other answers that are not problems, by status. */
  readonly responses?: Readonly<Record<number, ResponseSpec>>;
  /** Problems the route itself may answer (validation, transport and overload problems are added for every route). */
  readonly problems?: readonly ProblemSpec[];
  readonly requestHeaders?: Readonly<Record<string, RequestHeaderSpec>>;
  /** The security schemes the route needs, by name (`adminToken`): all of them. */
  readonly security?: Readonly<Record<string, SecuritySchemeSpec>>;
  /** The route is `critical` for overload protection: never refused with `E_OVERLOADED`. */
  readonly critical?: boolean;
}

/** Metadata key of the {@link RouteContract} parts on a handler or a controller class. */
export const ROUTE_CONTRACT = Symbol('bulwark:route-contract');

/**
 * Adds a part to the contract of a route (on a handler) or of every route of a controller (on
 * the class). Parts only accumulate; reading them costs nothing at request time (the document is
 * built once at boot).
 */
export function describeRoute(part: RouteContract): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    const holder = (descriptor?.value as object | undefined) ?? target;
    const parts = (Reflect.getOwnMetadata(ROUTE_CONTRACT, holder) as RouteContract[] | undefined) ?? [];
    Reflect.defineMetadata(ROUTE_CONTRACT, [...parts, part], holder);
  };
}

/** The parts recorded on a handler's controller, then on the handler: later parts win for single values. */
export function routeContractParts(controller: object, handler: object): readonly RouteContract[] {
  const own = (holder: object) => (Reflect.getOwnMetadata(ROUTE_CONTRACT, holder) as RouteContract[] | undefined) ?? [];
  return [...own(controller), ...own(handler)];
}

/** What a route declares with {@link ApiRoute}. */
export type ApiRouteSpec = Omit<RouteContract, 'security' | 'critical'> & { readonly summary: string };

/**
 * Declares a route's contract for the OpenAPI document: a summary, the success body schema (a zod
 * schema, the same one the response type is inferred from), its headers and the problems the route
 * raises. Parameters and bodies are not repeated here: the route's `ZodValidationPipe`s are read.
 *
 * @example
 * ```ts
 * @Get(':id')
 * @ApiRoute({ summary: 'One product', response: productSchema, problems: [{ status: 404, code: 'E_NOT_FOUND', when: 'no such product' }] })
 * get(@Param('id', productId) id: number) { return this.catalog.get(id); }
 * ```
 */
export function ApiRoute(spec: ApiRouteSpec): MethodDecorator {
  return describeRoute(spec);
}

/** The members of `T` that the output of `S` lacks (never when none). */
type MissingMembers<S extends z.ZodType, T> = Exclude<keyof T, keyof z.output<S>>;

/**
 * Checks at compile time that a response schema describes the type the code returns: its output
 * is a `T`, and it has every member of `T`. The schema is what the OpenAPI document publishes; the
 * interface stays what the code is written against, and the two cannot drift apart unnoticed.
 *
 * @example `export const productSchema = describes<Product>()(z.strictObject({ id: z.int(), ... }))`
 */
export function describes<T>() {
  return <S extends z.ZodType<T>>(schema: S & ([MissingMembers<S, T>] extends [never] ? unknown : { missing: MissingMembers<S, T> })): S => schema;
}
