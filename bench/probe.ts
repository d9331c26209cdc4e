import { Agent, request } from 'node:http';
import { NO_HEADER } from './load';

/** What {@link probe} saw. */
export interface ProbeResult {
  readonly requests: number;
  /** Responses by status code (0: connection error or timeout). */
  readonly statuses: Readonly<Record<string, number>>;
  /** Responses by value of the header asked for (`(none)` when absent). */
  readonly headerValues: Readonly<Record<string, number>>;
}

/**
 * GETs each of `paths` once from `baseUrl`, `concurrency` at a time on
 * keep-alive connections, and counts status codes and the values of
 * `header`. For priming caches and for after-run checks, not for load.
 */
export async function probe(baseUrl: string, paths: readonly string[], header = 'x-cache', concurrency = 16): Promise<ProbeResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = new Map<string, number>();
  const headerValues = new Map<string, number>();
  const count = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++];
      const { status, value } = await get(agent, `${baseUrl}${path}`, header);
      count(statuses, String(status));
      count(headerValues, value ?? NO_HEADER);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
  } finally {
    agent.destroy();
  }
  return { requests: paths.length, statuses: Object.fromEntries(statuses), headerValues: Object.fromEntries(headerValues) };
}

/** `{ "200": 1000 }` → `200 ×1000`. */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${key} ×${n}`)
    .join(', ');
}

function get(agent: Agent, url: string, header: string): Promise<{ status: number; value: string | undefined }> {
  return new Promise((done) => {
    const req = request(url, { agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.once('end', () => {
        const value = res.headers[header];
        done({ status: res.statusCode ?? 0, value: Array.isArray(value) ? value.join(', ') : value });
      });
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => done({ status: 0, value: undefined }));
    req.end();
  });
}
