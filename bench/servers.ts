import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root (this file runs from `dist-bench/bench/`). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** How to start one kind of server as a child process. */
export interface ServerSpec {
  /** The Node script to run. */
  readonly script: string;
  /** Environment on top of the runner's own; `PORT` is added by {@link startServer}. */
  readonly env: Readonly<Record<string, string>>;
  /** A path that answers 200 once the server is ready for load. */
  readonly readyPath: string;
}

/** Where `plain-fetch` answers the app's recommendations route (the app's own route keeps its policies). */
export const PLAIN_FETCH_PREFIX = '/bench/plain-fetch';

/** Baseline `script` (a module of `bench/baselines`) as two processes behind a bare `node:cluster` primary (`cluster-of.ts`). */
function clusterOf(script: string): ServerSpec {
  return { script: join(__dirname, 'baselines', 'cluster-of.js'), env: { NODE_ENV: 'production', BASELINE_SCRIPT: script }, readyPath: '/products/1' };
}

/** The app as the bench runs it: its own schema and Redis key prefix, warnings only, no drain delay. */
const BULWARK: ServerSpec = {
  script: join(REPO_ROOT, 'dist', 'main.js'),
  env: {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_SCHEMA: 'bench',
    REDIS_KEY_PREFIX: 'bulwark:bench:',
    CATALOG_SEED_COUNT: '1000',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
  },
  readyPath: '/health/startup',
};

/** The schema and Redis key prefix shared by `write-behind-api` and its worker (a new prefix per run). */
const SPLIT_ENV = { DATABASE_SCHEMA: 'bench_wb_split', REDIS_KEY_PREFIX: `bulwark:bench-wb-split:${Date.now().toString(36)}:` };

/**
 * Every server a scenario may name as its target or a baseline; the name is
 * also the baseline's name in `latest.json`. The app runs in its own schema
 * and Redis key prefix, logs warnings only (so no line per request), and
 * drains for 0 ms on SIGTERM so that a scenario ends quickly.
 */
export const SERVERS = {
  /** The app with its cache configuration from the scenario (`targetEnv`), else the defaults. */
  bulwark: BULWARK,
  /** The app as one process (`APP_PROCESSES=1`), beside a target of several (`fleet-scaling`). */
  'one-process': { ...BULWARK, env: { ...BULWARK.env, APP_PROCESSES: '1' } },
  /** The app with `METRICS_ENABLED=false` (no metrics hooks, no collectors): what metrics cost is the gap to `bulwark`. */
  'metrics-off': { ...BULWARK, env: { ...BULWARK.env, METRICS_ENABLED: 'false' } },
  /** The app with `CACHE_ENABLED=false`: every `GET /products/:id` is one PostgreSQL read. */
  'product-by-id-db': { ...BULWARK, env: { ...BULWARK.env, CACHE_ENABLED: 'false' } },
  /**
   * The app plus a bench-only route, `<PLAIN_FETCH_PREFIX>/products/:id/recommendations`
   * (baselines/plain-fetch.ts), that calls the recommender with a bare
   * `await fetch`: no timeout, breaker, bulkhead, retry or fallback.
   * Everything else as `bulwark`.
   */
  'plain-fetch': { ...BULWARK, script: join(__dirname, 'baselines', 'plain-fetch.js') },
  /** Not a baseline: the recommender of `product-with-slow-dependency`, answering after `RECOMMENDER_DELAY_MS` (2 s). */
  'slow-recommender': {
    script: join(__dirname, 'baselines', 'slow-recommender.js'),
    env: { NODE_ENV: 'production', RECOMMENDER_DELAY_MS: '2000' },
    readyPath: '/ready',
  },
  /** Not a baseline: the recommender of `overload`, answering after 2 ms. */
  'fast-recommender': {
    script: join(__dirname, 'baselines', 'slow-recommender.js'),
    env: { NODE_ENV: 'production', RECOMMENDER_DELAY_MS: '2' },
    readyPath: '/ready',
  },
  /** `overload`'s target: the app with overload protection on (its defaults otherwise). */
  'bulwark-limited': { ...BULWARK, env: { ...BULWARK.env, OVERLOAD_ENABLED: 'true' } },
  /** `overload`'s first baseline: the same app with overload protection off. */
  'no-limit': { ...BULWARK, env: { ...BULWARK.env, OVERLOAD_ENABLED: 'false' } },
  /** `overload`'s second baseline: the app (protection off) with `@fastify/under-pressure` (baselines/under-pressure.ts). */
  'under-pressure': { ...BULWARK, script: join(__dirname, 'baselines', 'under-pressure.js'), env: { ...BULWARK.env, OVERLOAD_ENABLED: 'false' } },
  'fastify-constant': {
    script: join(__dirname, 'baselines', 'fastify-constant.js'),
    env: { NODE_ENV: 'production' },
    readyPath: '/products/1',
  },
  'node-http-buffer': {
    script: join(__dirname, 'baselines', 'node-http-buffer.js'),
    env: { NODE_ENV: 'production' },
    readyPath: '/products/1',
  },
  /** `node-http-buffer` as two processes behind a bare `node:cluster` primary (the ceiling for `fleet-scaling`). */
  'node-http-buffer-cluster': clusterOf('node-http-buffer'),
  /** `nest-cache-interceptor` as two processes behind a bare `node:cluster` primary (a Nest app's ceiling for `fleet-scaling`). */
  'nest-cache-interceptor-cluster': clusterOf('nest-cache-interceptor'),
  /** The app writing through write-behind, in its own schema `bench_wb` (so its versions are its own). */
  'bulwark-write-behind': {
    ...BULWARK,
    env: { ...BULWARK.env, DATABASE_SCHEMA: 'bench_wb', REDIS_KEY_PREFIX: `bulwark:bench-wb:${Date.now().toString(36)}:` },
  },
  /** `bulwark-write-behind` with one write per group commit (WRITE_BEHIND_GROUP_MAX_WRITES=1), schema `bench_wb_ungrouped`: what group commit changes. */
  'write-behind-ungrouped': {
    ...BULWARK,
    env: {
      ...BULWARK.env,
      DATABASE_SCHEMA: 'bench_wb_ungrouped',
      REDIS_KEY_PREFIX: `bulwark:bench-wb-ungrouped:${Date.now().toString(36)}:`,
      WRITE_BEHIND_GROUP_MAX_WRITES: '1',
    },
  },
  /**
   * The write path split as `deploy/k8s/` runs it: this API process (`APP_ROLE=api`) takes the writes and
   * queues them; `write-behind-worker`, a process of its own, flushes them. Schema `bench_wb_split`.
   */
  'write-behind-api': { ...BULWARK, env: { ...BULWARK.env, ...SPLIT_ENV, APP_ROLE: 'api' } },
  /** Not a baseline: the queue consumer of `write-behind-api` (`APP_ROLE=worker`), not pinned, not measured. */
  'write-behind-worker': { ...BULWARK, env: { ...BULWARK.env, ...SPLIT_ENV, APP_ROLE: 'worker' } },
  /** `bulwark` on a throwaway Redis Cluster (both roles; `clusterServers` of a scenario gives it REDIS_CLUSTER_NODES). */
  'bulwark-cluster': { ...BULWARK },
  /** `bulwark-write-behind` on the throwaway Redis Cluster, schema `bench_wb_cluster`. */
  'write-behind-cluster': {
    ...BULWARK,
    env: { ...BULWARK.env, DATABASE_SCHEMA: 'bench_wb_cluster', REDIS_KEY_PREFIX: `bulwark:bench-wb-cluster:${Date.now().toString(36)}:` },
  },
  /** A synchronous TypeORM save per `PUT /products/:id`, schema `bench_sync`. */
  'sync-save': {
    script: join(__dirname, 'baselines', 'sync-save.js'),
    env: { NODE_ENV: 'production', BENCH_SYNC_SCHEMA: 'bench_sync' },
    readyPath: '/health',
  },
  /** The bulk body of `POST /products/bulk` written synchronously with one multi-row UPDATE, schema `bench_sync_bulk`. */
  'sync-bulk': {
    script: join(__dirname, 'baselines', 'sync-bulk.js'),
    env: { NODE_ENV: 'production', BENCH_SYNC_BULK_SCHEMA: 'bench_sync_bulk' },
    readyPath: '/health',
  },
  /** Not a write path: a Nest PUT handler that stores nothing, the ceiling of any write path inside Nest here. */
  'nest-put-noop': {
    script: join(__dirname, 'baselines', 'nest-put-noop.js'),
    env: { NODE_ENV: 'production' },
    readyPath: '/health',
  },
  'nest-cache-interceptor': {
    script: join(__dirname, 'baselines', 'nest-cache-interceptor.js'),
    env: { NODE_ENV: 'production' },
    readyPath: '/products/1',
  },
} satisfies Record<string, ServerSpec>;

/** The name of a server in {@link SERVERS}. */
export type ServerName = keyof typeof SERVERS;

/** A started server; {@link RunningServer.stop} is safe to call more than once. */
export interface RunningServer {
  readonly name: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The server's process id (taskset execs node, so it is node's). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Options of {@link startServer}. */
export interface StartOptions {
  /** Pin the server to this CPU core with `taskset -c` (default: not pinned). */
  readonly pinCore?: number;
  /** Extra environment, over the spec's (e.g. a scenario's switches). */
  readonly env?: Readonly<Record<string, string>>;
  /** Options of `node` before the script (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** Give up when the server is not ready by then. @default 30000 */
  readonly readyTimeoutMs?: number;
}

const STOP_GRACE_MS = 5000;
const OUTPUT_LINES_KEPT = 30;
const live = new Set<ChildProcess>();

/**
 * Starts server `name` on a free loopback port and resolves once its ready
 * path answers 200. Rejects, with the tail of its output, when it exits first
 * or is not ready within the timeout (the child is killed then).
 */
export async function startServer(name: ServerName, options: StartOptions = {}): Promise<RunningServer> {
  const spec: ServerSpec = SERVERS[name];
  const port = await freePort();
  const node = [process.execPath, ...(options.nodeArgs ?? []), spec.script];
  const [command, ...args] = options.pinCore === undefined ? node : ['taskset', '-c', String(options.pinCore), ...node];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...spec.env, ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child)); // e.g. taskset or node not found: waitUntilReady reports it
  const output = tailOf(child);
  const server: RunningServer = { name, url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) };
  try {
    await waitUntilReady(child, `${server.url}${spec.readyPath}`, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    await server.stop();
    throw new Error(`${name} did not start: ${(error as Error).message}\n--- last output of ${name} ---\n${output().join('\n')}`, { cause: error });
  }
  return server;
}

/** Stops every server still running; for Ctrl-C and errors. */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...live].map(stopChild));
}

/** Last resort on process exit: SIGKILL whatever is left, synchronously. */
export function killAllServersNow(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** SIGTERM, then SIGKILL after {@link STOP_GRACE_MS}; resolves once the child has exited (or 1 s after SIGKILL). */
async function stopChild(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<boolean>((done) => child.once('exit', () => done(true)));
  const within = (ms: number): Promise<boolean> => Promise.race([exited, sleep(ms, false, { ref: false })]);
  child.kill('SIGTERM');
  if (await within(STOP_GRACE_MS)) return;
  child.kill('SIGKILL');
  await within(1000);
}

/** Spawned and not yet exited. */
function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** The PostgreSQL schema whose `products` table a server writes, for servers that write. */
export const WRITE_SCHEMAS: Partial<Record<ServerName, string>> = {
  'bulwark-write-behind': 'bench_wb',
  'write-behind-ungrouped': 'bench_wb_ungrouped',
  'write-behind-api': 'bench_wb_split',
  'write-behind-cluster': 'bench_wb_cluster',
  'sync-save': 'bench_sync',
  'sync-bulk': 'bench_sync_bulk',
};

/** Polls `url` every 100 ms until it answers 200; bounded by `timeoutMs`. */
async function waitUntilReady(child: ChildProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.pid === undefined) throw new Error(`${child.spawnfile} could not be spawned`);
    if (!isRunning(child)) throw new Error(`it exited (code ${child.exitCode}, signal ${child.signalCode})`);
    if ((await statusOf(url)) === 200) return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** The status of `GET url`, or 0 on a connection error or after 1 s. */
function statusOf(url: string): Promise<number> {
  return new Promise((done) => {
    const req = request(url, { timeout: 1000 }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => done(0));
    req.end();
  });
}

/** A free TCP port on 127.0.0.1, as the OS hands it out (released just before use). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** Drains the child's stdout and stderr, keeping the last lines for error messages. */
function tailOf(child: ChildProcess): () => string[] {
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - OUTPUT_LINES_KEPT));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines;
}
