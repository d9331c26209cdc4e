import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { Product } from '../src/features/catalog';
import { get, spawnApp, type AppProcess } from './support/app-process';
import { dropIsolation, waitFor } from './support/test-app';

/** The pids of `pid`'s children (the app processes of a primary). */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** One request on a connection of its own (no keep-alive), so the primary hands each to the next process in turn. */
function fresh(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: Product }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      url,
      { method, agent: false, headers: { connection: 'close', ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: (text ? JSON.parse(text) : undefined) as Product }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Connections go to the processes in turn: four ready answers in a row on fresh connections are both processes'. */
async function bothReady(url: string): Promise<boolean> {
  for (let i = 0; i < 4; i++) {
    const status = await fresh('GET', `${url}/health/ready`).then(
      (ready) => ready.status,
      () => 0,
    );
    if (status !== 200) return false;
  }
  return true;
}

/** A sample's value in an exposition (NaN when absent). */
const sample = (metrics: string, series: string): number => Number(new RegExp(`^${series.replace(/[{}"()=.]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);

/**
 * `APP_PROCESSES=2`: a primary forks two app processes sharing the port, restarts one that is
 * killed, gathers the machine's metrics for a scrape that reaches either, and drains both on
 * SIGTERM. L1 stays per process and coherent through the bus.
 */
describe('APP_PROCESSES: several app processes on one machine (e2e)', () => {
  let app: AppProcess;

  beforeAll(async () => {
    app = await spawnApp({ APP_PROCESSES: '2', CATALOG_SEED_COUNT: '20', APP_RESTART_BACKOFF_MS: '100', SHUTDOWN_DRAIN_DELAY_MS: '300', LOG_LEVEL: 'info' });
    await waitFor(async () => childPids(app.child.pid!).length === 2 && (await bothReady(app.url)), 30_000, 'two ready app processes');
    // Both processes ready: a scrape gathers two.
    await waitFor(async () => sample((await get(`${app.url}/metrics`)).body, 'bulwark_app_processes_scraped') === 2, 20_000, 'both processes in a scrape');
  }, 60_000);
  afterAll(async () => {
    if (app && app.child.exitCode === null) {
      for (const pid of childPids(app.child.pid!)) process.kill(pid, 'SIGKILL');
      app.child.kill('SIGKILL');
      await app.exited;
    }
    if (app) await dropIsolation(app.schema, app.keyPrefix);
  });

  it('serves from both processes, and one scrape describes both, each series labelled with its process', async () => {
    for (let i = 0; i < 20; i++) {
      const read = await fresh('GET', `${app.url}/products/${(i % 5) + 1}`);
      expect({ status: read.status, problem: read.status === 200 ? undefined : read.json }).toEqual({ status: 200, problem: undefined });
    }
    const metrics = (await get(`${app.url}/metrics`)).body;
    expect(sample(metrics, 'bulwark_app_processes')).toBe(2);
    expect(sample(metrics, 'bulwark_app_processes_running')).toBe(2);
    // Each process answered some of the 20 (the primary hands connections out in turn).
    const served = [0, 1].map((index) => {
      const lines = metrics
        .split('\n')
        .filter((line) => line.startsWith('bulwark_http_requests_total{') && line.includes(`process="${index}"`) && line.includes('/products/:id'));
      return lines.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    });
    expect(served[0]).toBeGreaterThan(0);
    expect(served[1]).toBeGreaterThan(0);
    // One HELP and TYPE per family, whatever the number of processes.
    expect(metrics.match(/^# TYPE bulwark_http_requests_total /gm)).toHaveLength(1);
  });

  it('keeps L1 coherent between the processes: a write through one is read back by both', async () => {
    // Warm the product in both processes' L1.
    for (let i = 0; i < 6; i++) await fresh('GET', `${app.url}/products/3`);
    const warm = await Promise.all([1, 2, 3, 4].map(() => fresh('GET', `${app.url}/products/3`)));
    expect(warm.map((read) => read.headers['x-cache'])).toEqual(['L1', 'L1', 'L1', 'L1']); // both processes answer from their L1 (for 5 s)
    const before = warm[0];
    const { sku, name, description, priceMinor, currency, stock, tags, version } = before.json;
    const written = await fresh('PUT', `${app.url}/products/3`, { sku, name, description, priceMinor: priceMinor + 1, currency, stock, tags, version });
    expect(written.status).toBe(200);
    await waitFor(
      async () => {
        const reads = await Promise.all([1, 2, 3, 4, 5, 6].map(() => fresh('GET', `${app.url}/products/3`)));
        return reads.every((read) => read.json.version === written.json.version);
      },
      2_000,
      'every process reading the new version',
    );
  });

  it('restarts a process that was killed, and says so', async () => {
    const [victim] = childPids(app.child.pid!);
    process.kill(victim, 'SIGKILL');
    await waitFor(
      async () => {
        const pids = childPids(app.child.pid!);
        return pids.length === 2 && !pids.includes(victim) && (await get(`${app.url}/health/ready`)).status === 200;
      },
      30_000,
      'a new second process',
    );
    expect(app.output()).toMatch(/exited unexpectedly; restarting it/);
    await waitFor(
      async () => sample((await get(`${app.url}/metrics`)).body, 'bulwark_app_processes_scraped') === 2,
      20_000,
      'both processes in a scrape again',
    );
    const metrics = (await get(`${app.url}/metrics`)).body;
    expect(sample(metrics, 'bulwark_app_process_restarts_total')).toBe(1);
  }, 60_000);

  it('SIGTERM: every process drains, then the primary exits 0', async () => {
    const pids = childPids(app.child.pid!);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(app.output().match(/shutdown complete/g)?.length).toBe(2);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);
});
