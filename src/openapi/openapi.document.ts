import type { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, problemDetailsSchema, type ProblemSpec, type ResponseHeaderSpec, type ResponseSpec, type RouteContract } from '../http';
import { KIT_PROBLEMS } from './kit-problems';
import type { DiscoveredRoute, RouteArgument } from './route-discovery';
import { SchemaComponents, type JsonSchema } from './schema-components';

/** What the document says of the API as a whole. */
export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/** An OpenAPI 3.1 document as plain data. */
export type OpenApiDocument = Record<string, unknown> & { readonly paths: Record<string, Record<string, Operation>> };

type Operation = Record<string, unknown>;

/** A header every response carries. */
const REQUEST_ID_HEADER = { $ref: '#/components/headers/RequestId' };

/**
 * Builds the OpenAPI 3.1 document of `routes`: paths and operations from Nest's metadata,
 * parameters and request bodies from the routes' `ZodValidationPipe` schemas (input side), the
 * success body and headers from their `RouteContract` parts (output side), and the problems every
 * route may answer (`KIT_PROBLEMS`: validation, transport, overload, shutdown) beside its own,
 * grouped by status, each status's `code` an enum of its codes. Pure: built once at boot.
 */
export function buildOpenApiDocument(routes: readonly DiscoveredRoute[], info: OpenApiInfo): OpenApiDocument {
  const components = new SchemaComponents();
  const problem = components.convert(problemDetailsSchema, 'output');
  if (problem.$ref === undefined) throw new Error('OpenAPI: the problem schema must have an id');
  const securitySchemes: Record<string, unknown> = {};
  const paths: Record<string, Record<string, Operation>> = {};
  const tags = new Set<string>();
  for (const route of routes) {
    const contract = mergeContract(route.contract);
    const operation = buildOperation(route, contract, components);
    for (const tag of operation.tags as string[]) tags.add(tag);
    for (const [name, scheme] of Object.entries(contract.security)) securitySchemes[name] = scheme;
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info,
    tags: [...tags].sort().map((name) => ({ name })),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas: components.schemas,
      headers: {
        RequestId: {
          description: 'The request id: a well-formed incoming `x-request-id` (1-128 of `A-Z a-z 0-9 . _ : -`), else a UUID.',
          required: true,
          schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
        },
        RetryAfter: { description: 'Seconds to wait before trying again.', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
      },
      parameters: {
        RequestId: {
          name: 'x-request-id',
          in: 'header',
          description: 'Kept as the request id when well formed (1-128 of `A-Z a-z 0-9 . _ : -`), so a gateway id follows the request into the logs.',
          schema: { type: 'string' },
        },
      },
      ...(Object.keys(securitySchemes).length > 0 ? { securitySchemes } : {}),
    },
  };
}

/** `/products/:id` → `/products/{id}`. */
function openApiPath(nestPath: string): string {
  return nestPath.replace(/:(\w+)/g, '{$1}');
}

/** Every part of a route's contract in one: single values from the last part that sets them, lists and maps joined. */
interface MergedContract {
  summary?: string;
  description?: string;
  tags?: readonly string[];
  response?: RouteContract['response'];
  headers: Record<string, ResponseHeaderSpec>;
  responses: Record<number, ResponseSpec>;
  problems: ProblemSpec[];
  requestHeaders: NonNullable<RouteContract['requestHeaders']>;
  security: NonNullable<RouteContract['security']>;
  critical: boolean;
}

function mergeContract(parts: readonly RouteContract[]): MergedContract {
  const merged: MergedContract = { headers: {}, responses: {}, problems: [], requestHeaders: {}, security: {}, critical: false };
  for (const part of parts) {
    merged.summary = part.summary ?? merged.summary;
    merged.description = part.description ?? merged.description;
    merged.tags = part.tags ?? merged.tags;
    merged.response = part.response ?? merged.response;
    Object.assign(merged.headers, part.headers);
    Object.assign(merged.responses, part.responses);
    merged.problems.push(...(part.problems ?? []));
    merged.requestHeaders = { ...merged.requestHeaders, ...part.requestHeaders };
    merged.security = { ...merged.security, ...part.security };
    // A handler's @Criticality() comes after its controller's, and wins, as it does for admission.
    merged.critical = part.critical ?? merged.critical;
  }
  return merged;
}

function buildOperation(route: DiscoveredRoute, contract: MergedContract, components: SchemaComponents): Operation {
  const body = route.arguments.find((arg) => arg.in === 'body');
  const parameters = [...pathParameters(route, components), ...argumentParameters(route.arguments, components), ...headerParameters(contract, components)];
  const validated = route.arguments.some((arg) => arg.schema !== undefined) || Object.keys(contract.requestHeaders).length > 0;
  const problems = [...contract.problems, ...KIT_PROBLEMS.filter((kit) => kit.appliesTo({ route, validated, critical: contract.critical }))];
  return {
    operationId: route.name,
    summary: contract.summary ?? `${route.method.toUpperCase()} ${openApiPath(route.path)}`,
    ...(contract.description === undefined ? {} : { description: contract.description }),
    tags: contract.tags ?? [route.path.split('/')[1] || 'root'],
    parameters: [...parameters, { $ref: '#/components/parameters/RequestId' }],
    ...(body === undefined ? {} : { requestBody: requestBody(body, components) }),
    responses: responses(route, contract, problems, components),
    ...(Object.keys(contract.security).length > 0 ? { security: [Object.fromEntries(Object.keys(contract.security).map((name) => [name, []]))] } : {}),
  };
}

/** Path parameters: from their pipes' schemas, else plain strings (Nest hands them over as strings). */
function pathParameters(route: DiscoveredRoute, components: SchemaComponents): Operation[] {
  return [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => {
    const arg = route.arguments.find((a) => a.in === 'path' && a.name === name && a.schema !== undefined);
    return { name, in: 'path', required: true, schema: arg?.schema === undefined ? { type: 'string' } : components.convert(arg.schema, 'input') };
  });
}

/** Query parameters (a whole-query schema becomes one parameter per property) and validated headers. */
function argumentParameters(args: readonly RouteArgument[], components: SchemaComponents): Operation[] {
  const parameters: Operation[] = [];
  for (const arg of args) {
    if (arg.schema === undefined || arg.in === 'path' || arg.in === 'body') continue;
    if (arg.name !== undefined) {
      parameters.push({ name: arg.name, in: arg.in, required: !acceptsMissing(arg.schema), schema: components.convert(arg.schema, 'input') });
      continue;
    }
    const json = components.convert(arg.schema, 'input');
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((json.properties ?? {}) as Record<string, JsonSchema>)) {
      const { description, ...rest } = schema;
      parameters.push({ name, in: arg.in, required: required.has(name), ...(description === undefined ? {} : { description }), schema: rest });
    }
  }
  return parameters;
}

function headerParameters(contract: MergedContract, components: SchemaComponents): Operation[] {
  return Object.entries(contract.requestHeaders).map(([name, spec]) => ({
    name,
    in: 'header',
    required: !acceptsMissing(spec.schema),
    description: spec.description,
    schema: components.convert(spec.schema, 'input'),
  }));
}

function requestBody(body: RouteArgument, components: SchemaComponents): Operation {
  return {
    required: body.schema === undefined || !acceptsMissing(body.schema),
    content: { 'application/json': { schema: body.schema === undefined ? {} : components.convert(body.schema, 'input') } },
  };
}

/** Whether a request value may be left out: its schema takes `undefined`. */
function acceptsMissing(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}

function responses(route: DiscoveredRoute, contract: MergedContract, problems: readonly ProblemSpec[], components: SchemaComponents): Operation {
  const out: Record<string, { description: string; headers: Record<string, unknown>; content?: Record<string, unknown> }> = {};
  const success = successSpec(contract.response);
  out[route.status] = {
    description: success.description ?? 'Success.',
    headers: { 'x-request-id': REQUEST_ID_HEADER, ...headersOf(contract.headers, components) },
    ...(route.status === 204 || (success.schema === undefined && success.contentType === undefined)
      ? {}
      : {
          content: {
            [success.contentType ?? 'application/json']: success.schema === undefined ? {} : { schema: components.convert(success.schema, 'output') },
          },
        }),
  };
  for (const [status, spec] of Object.entries(contract.responses)) {
    out[status] = {
      description: spec.description,
      headers: { 'x-request-id': REQUEST_ID_HEADER, ...headersOf(spec.headers ?? {}, components) },
      ...(spec.schema === undefined ? {} : { content: { [spec.contentType ?? 'application/json']: { schema: components.convert(spec.schema, 'output') } } }),
    };
  }
  const byStatus = new Map<number, ProblemSpec[]>();
  for (const problem of problems) byStatus.set(problem.status, [...(byStatus.get(problem.status) ?? []), problem]);
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const codes = [...new Set(list.map((p) => p.code))];
    const lines = list.map((p) => `\`${p.code}\`: ${p.when}`);
    const existing = out[status];
    const schema = { allOf: [SchemaComponents.ref('Problem'), { properties: { status: { const: status }, code: { enum: codes } } }] };
    out[status] = {
      description: existing === undefined ? lines.join('; ') : `${existing.description}; or a problem: ${lines.join('; ')}`,
      headers: { ...existing?.headers, 'x-request-id': REQUEST_ID_HEADER, ...problemHeaders(status, existing === undefined) },
      content: { ...existing?.content, [PROBLEM_CONTENT_TYPE]: { schema } },
    };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => Number(a) - Number(b)));
}

/** The success answer's body schema, media type (undefined with neither: no body) and words. */
function successSpec(spec: RouteContract['response']): { schema?: z.ZodType; contentType?: string; description?: string } {
  if (spec === undefined) return {};
  if ('safeParse' in spec) return { schema: spec };
  return spec;
}

function headersOf(headers: Readonly<Record<string, ResponseHeaderSpec>>, components: SchemaComponents): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, spec]) => [
      name.toLowerCase(),
      {
        description: spec.description,
        required: spec.required ?? false,
        schema: spec.schema === undefined ? { type: 'string' } : components.convert(spec.schema, 'output'),
      },
    ]),
  );
}

/** Headers a problem of this status carries: required when every answer of the status is a problem (a probe's 503 is not). */
function problemHeaders(status: number, onlyProblems: boolean): Record<string, unknown> {
  if (status === 503) {
    return {
      'retry-after': onlyProblems
        ? { $ref: '#/components/headers/RetryAfter' }
        : { description: 'On a problem: seconds to wait before trying again.', schema: { type: 'string', pattern: '^[0-9]+$' } },
    };
  }
  if (status === 401)
    return { 'www-authenticate': { description: 'The scheme the route needs: `Bearer realm="…"`.', required: onlyProblems, schema: { type: 'string' } } };
  return {};
}
