/**
 * Field names whose values never reach a log line, whatever object they sit
 * in. Matched case-sensitively as written, since pino's redaction compiles
 * exact paths (that is what keeps it cheap on every line).
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

/**
 * pino `redact.paths` covering the credential headers of the request and
 * response log objects and every secret-like field name at the top level and
 * up to `depth` levels of nesting (`password`, `*.password`, `*.*.password`).
 */
export function redactionPaths(depth = 2): string[] {
  const paths = SECRET_HEADERS.flatMap((header) => [`req.headers["${header}"]`, `res.headers["${header}"]`]);
  for (const name of SECRET_FIELD_NAMES) {
    for (let level = 0; level <= depth; level++) {
      paths.push([...Array<string>(level).fill('*'), name].join('.'));
    }
  }
  return paths;
}
