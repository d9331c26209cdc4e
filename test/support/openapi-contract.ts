import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { HttpResponse } from './http-client';

/** An OpenAPI 3.1 document as the app serves it. */
export type OpenApiDoc = {
  paths: Record<string, Record<string, Operation>>;
  components: { headers?: Record<string, HeaderObject>; schemas?: Record<string, unknown> };
};
type HeaderObject = { $ref?: string; required?: boolean; schema?: unknown };
type MediaType = { schema?: unknown };
type ResponseObject = { description: string; headers?: Record<string, HeaderObject>; content?: Record<string, MediaType> };
type Operation = { parameters?: Array<{ $ref?: string; in?: string }>; requestBody?: unknown; responses: Record<string, ResponseObject> };

const DOC_ID = 'openapi.json';

/** `a/b` → `a~1b`: one JSON Pointer segment. */
const segment = (s: string) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'));

/**
 * Checks real responses against the OpenAPI document: the status is one the operation lists, the
 * media type one of that response's, the body valid against its schema (Ajv, JSON Schema
 * 2020-12, the document's own `$ref`s), every required header present and every documented header
 * valid. `check` returns what is wrong, empty when nothing is.
 */
export class OpenApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private lastErrors = '';

  constructor(readonly doc: OpenApiDoc) {
    addFormats(this.ajv);
    // The whole document is one schema resource: `#/components/schemas/X` resolves inside it.
    this.ajv.addSchema({ ...doc, $id: DOC_ID });
  }

  /** Every operation of the document: `GET /products/{id}`. */
  operations(): string[] {
    return Object.entries(this.doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
  }

  /** Whether the operation reads anything from the request (a parameter of its own or a body), so a bad input exists. */
  takesInput(operation: string): boolean {
    const op = this.operation(operation);
    return op.requestBody !== undefined || (op.parameters ?? []).some((p) => p.$ref === undefined);
  }

  check(operation: string, res: HttpResponse): string[] {
    const [method, path] = operation.split(' ');
    const op = this.operation(operation);
    const status = String(res.statusCode);
    const response = op.responses[status] ?? op.responses.default;
    const at = `${operation} → ${status}`;
    if (response === undefined) return [`${at}: status not in the document (${Object.keys(op.responses).join(', ')})`];
    const problems: string[] = [];
    const pointer = `${DOC_ID}#/paths/${segment(path)}/${method.toLowerCase()}/responses/${op.responses[status] ? status : 'default'}`;
    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      const header = this.resolveHeader(declared);
      const value = res.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) problems.push(`${at}: required header ${name} missing`);
        continue;
      }
      const schemaRef = declared.$ref === undefined ? `${pointer}/headers/${segment(name)}/schema` : `${DOC_ID}${declared.$ref}/schema`;
      if (header.schema !== undefined && !this.valid(schemaRef, String(value))) {
        problems.push(`${at}: header ${name}: ${JSON.stringify(value)} ${this.lastErrors}`);
      }
    }
    const contentType = String(res.headers['content-type'] ?? '');
    const content = response.content;
    if (content === undefined) {
      if (res.body.length > 0) problems.push(`${at}: a body (${contentType}) where the document has none`);
      return problems;
    }
    const media = contentType.split(';')[0].trim();
    const key = Object.keys(content).find((declared) => mediaMatches(declared, media));
    if (key === undefined) return [...problems, `${at}: content-type ${contentType} not among ${Object.keys(content).join(', ')}`];
    if (content[key].schema === undefined) return problems;
    const body: unknown = /json$/.test(media) ? JSON.parse(res.body) : res.body;
    if (!this.valid(`${pointer}/content/${segment(key)}/schema`, body)) problems.push(`${at}: body ${this.lastErrors}: ${res.body.slice(0, 300)}`);
    return problems;
  }

  private operation(operation: string): Operation {
    const [method, path] = operation.split(' ');
    const op = this.doc.paths[path]?.[method.toLowerCase()];
    if (op === undefined) throw new Error(`${operation} is not in the document`);
    return op;
  }

  private resolveHeader(header: HeaderObject): HeaderObject {
    if (header.$ref === undefined) return header;
    return this.doc.components.headers?.[header.$ref.split('/').pop()!] ?? {};
  }

  /** Validates `value` against the schema at `ref` (`openapi.json#/<pointer>`), compiled once. */
  private valid(ref: string, value: unknown): boolean {
    let validate = this.compiled.get(ref);
    if (validate === undefined) this.compiled.set(ref, (validate = this.ajv.compile({ $ref: ref })));
    const ok = validate(value);
    this.lastErrors = this.ajv.errorsText(validate.errors);
    return ok;
  }
}

function mediaMatches(declared: string, actual: string): boolean {
  const type = declared.split(';')[0].trim();
  if (type === '*/*') return true;
  if (type.endsWith('/*')) return actual.startsWith(type.slice(0, -1));
  return type === actual;
}
