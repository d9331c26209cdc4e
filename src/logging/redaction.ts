/**
 * Field names whose values never reach a log line, whatever object they sit
 * in. Matched case-sensitively as written.
 */
export const SECRET_FIELD_NAMES = [
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'api_key',
  'clientSecret',
  'client_secret',
  'authorization',
  'cookie',
  'privateKey',
  'connectionString',
  'databaseUrl',
] as const;

/** Headers that carry credentials, in requests and responses. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-admin-token'];

const SECRET_KEYS: ReadonlySet<string> = new Set<string>([...SECRET_FIELD_NAMES, ...SECRET_HEADERS]);

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * `value` with every field named like a secret ({@link SECRET_FIELD_NAMES},
 * credential headers) replaced by `[redacted]`, at the top level and up to
 * `depth` levels down (`password`, `x.password`, `x.y.password`: the old
 * pino paths `password`, `*.password`, `*.*.password`). Scans plain objects,
 * arrays and errors (other class instances are left to their serializers);
 * copies only the objects on the way to a secret and never changes `value`,
 * which is returned as is when it holds none.
 *
 * It runs as pino's `formatters.log`, on the fields of lines that are
 * written. pino's own `redact` did the same through compiled wildcard paths,
 * but it also ran on every child logger's bindings, and pino-http makes one
 * per request: that walk was most of the ~20 % a full-pipeline request
 * spent in logging, at any level. Child bindings are not scanned: the app
 * binds only the request id.
 */
export function redactSecrets<T>(value: T, depth = 2): T {
  return redactAt(value, depth) as T;
}

function redactAt(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || !isScannable(value)) return value;
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const field = source[key];
    let next: unknown = field;
    if (SECRET_KEYS.has(key)) next = field === undefined ? undefined : REDACTED;
    else if (depth > 0) next = redactAt(field, depth - 1);
    if (next !== field) {
      copy ??= copyOf(source);
      copy[key] = next;
    }
  }
  return copy ?? value;
}

function isScannable(value: object): boolean {
  if (Array.isArray(value) || value instanceof Error) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** A shallow copy that serialises like the original (an error stays an error, with its message and stack). */
function copyOf(source: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(source)) return source.slice() as unknown as Record<string, unknown>;
  if (source instanceof Error) {
    const error = Object.assign(Object.create(Object.getPrototypeOf(source) as object) as Error, source);
    error.message = source.message;
    error.stack = source.stack;
    return error;
  }
  return { ...source };
}
