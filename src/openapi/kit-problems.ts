import type { ProblemSpec } from '../http';
import type { DiscoveredRoute } from './route-discovery';

/** What decides whether a kit problem can be the answer of a route. */
export interface RouteFacts {
  readonly route: DiscoveredRoute;
  /** A `ZodValidationPipe` (or a declared request header schema) reads one of its values. */
  readonly validated: boolean;
  /** `@Criticality('critical')`: never refused by overload protection. */
  readonly critical: boolean;
}

/** A problem the kit's HTTP edge answers on routes of some kind, whatever the route's own code does. */
export interface KitProblem extends ProblemSpec {
  appliesTo(facts: RouteFacts): boolean;
}

const hasBody = ({ route }: RouteFacts) => route.arguments.some((arg) => arg.in === 'body');
const hasPathParameter = ({ route }: RouteFacts) => route.path.includes(':');

/**
 * The problems of the kit's edge (README "Errors"): validation (`ZodValidationPipe`), Fastify's
 * body parsing and limits, the path parameter limit, overload protection, the shutdown drain and
 * the bare 500. A route's own problems (404, 409, a feature's 503) come from its contract.
 */
export const KIT_PROBLEMS: readonly KitProblem[] = [
  { status: 400, code: 'E_VALIDATION', when: 'a path, query, header or body value is invalid; `errors[]` says which', appliesTo: (f) => f.validated },
  { status: 400, code: 'E_BAD_REQUEST', when: 'malformed JSON or URL', appliesTo: () => true },
  { status: 413, code: 'E_PAYLOAD_TOO_LARGE', when: 'a body over `HTTP_BODY_LIMIT_BYTES`', appliesTo: hasBody },
  { status: 415, code: 'E_UNSUPPORTED_MEDIA_TYPE', when: 'a body that is not `application/json`', appliesTo: hasBody },
  { status: 414, code: 'E_URI_TOO_LONG', when: 'a path parameter over 100 characters', appliesTo: hasPathParameter },
  {
    status: 503,
    code: 'E_OVERLOADED',
    when: 'overload protection is on and the pod is at its limit of requests in flight (`Server-Timing: overload;dur=`)',
    appliesTo: (f) => !f.critical,
  },
  { status: 503, code: 'E_SHUTTING_DOWN', when: 'the pod is shutting down; sent with `Connection: close`: retry on a new connection', appliesTo: () => true },
  { status: 500, code: 'E_INTERNAL', when: 'a bug: quote the `requestId`', appliesTo: () => true },
];
