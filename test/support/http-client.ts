import { request } from 'node:http';

/** What the tests read of a response: the shape of Fastify's `inject()` response, so either can be checked alike. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
  json<T = unknown>(): T;
}

/**
 * One request over a real socket (a fresh connection, no agent). Unlike
 * `app.inject()`, which calls Fastify's handler directly, it goes through the
 * HTTP server: the L1 fast path in front of Fastify answers it too.
 */
export function httpRequest(
  baseUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${options.path}`, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: false,
      timeout: options.timeoutMs ?? 5_000,
    });
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${options.path}: no answer in time`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
      });
    });
    req.end(options.body);
  });
}
