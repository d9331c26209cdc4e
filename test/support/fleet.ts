import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, get, spawnApp, type AppProcess } from './app-process';
import { SharedIsolation, stopProcess } from './shared-isolation';
import { waitFor } from './test-app';

/** One app instance of a fleet: a process on a port of its own that stays its across restarts. */
export interface FleetInstance {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  process: AppProcess;
}

export interface FleetOptions {
  /** API instances behind the load balancer. */
  readonly instances: number;
  /** Env of every process (API instances and the worker). */
  readonly env?: Record<string, string>;
}

/**
 * A fleet on one machine, as Kubernetes would run it: several API instances (`APP_ROLE=api`) and one
 * worker (`APP_ROLE=worker`), sharing one schema and key prefix on the machine's PostgreSQL and Redis,
 * behind a real HAProxy (Debian's) that health-checks `/health/ready` every 200 ms, as a Service's
 * endpoints follow readiness. The test talks to `url` (HAProxy) or to each instance directly.
 */
export class Fleet {
  private constructor(
    readonly isolation: SharedIsolation,
    readonly instances: FleetInstance[],
    readonly worker: AppProcess,
    private readonly haproxy: ChildProcess,
    private readonly haproxyDir: string,
    /** `http://127.0.0.1:<port>` of HAProxy's frontend. */
    readonly url: string,
    private readonly env: Record<string, string>,
  ) {}

  static async start(options: FleetOptions): Promise<Fleet> {
    const isolation = new SharedIsolation();
    const env = isolation.env({ SHUTDOWN_DRAIN_DELAY_MS: '1000', ...options.env });
    // The worker first: it migrates and seeds; the API instances then start on a ready schema.
    const worker = await spawnApp({ ...env, APP_ROLE: 'worker' });
    await waitFor(async () => (await get(`${worker.url}/health/ready`)).status === 200, 30_000, 'the worker ready');
    const instances: FleetInstance[] = [];
    for (let i = 0; i < options.instances; i++) {
      const port = await freePort();
      instances.push({ name: `app${i}`, port, url: `http://127.0.0.1:${port}`, process: await spawnApp({ ...env, APP_ROLE: 'api', PORT: String(port) }) });
    }
    for (const instance of instances) await waitFor(async () => (await get(`${instance.url}/health/ready`)).status === 200, 30_000, `${instance.name} ready`);
    const frontPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-haproxy-'));
    writeFileSync(join(dir, 'haproxy.cfg'), haproxyConfig(frontPort, instances));
    const haproxy = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let haproxyOutput = '';
    haproxy.stderr.on('data', (chunk: Buffer) => (haproxyOutput = (haproxyOutput + chunk.toString()).slice(-4000)));
    const spawned = await new Promise<Error | undefined>((resolve) => {
      haproxy.once('spawn', () => resolve(undefined));
      haproxy.once('error', resolve);
    });
    if (spawned) {
      await Promise.all([...instances.map((instance) => stopProcess(instance.process)), stopProcess(worker)]);
      await isolation.cleanup();
      throw new Error(`cannot run haproxy (${spawned.message}): the fleet tests need it on PATH (apt-get install haproxy; .ci/run installs it)`);
    }
    haproxy.once('exit', (code) => {
      if (code !== null && code !== 0) process.stderr.write(`haproxy exited with ${code}:\n${haproxyOutput}\n`);
    });
    const fleet = new Fleet(isolation, instances, worker, haproxy, dir, `http://127.0.0.1:${frontPort}`, env);
    await waitFor(async () => (await get(`${fleet.url}/health/ready`)).status === 200, 10_000, 'HAProxy routing');
    await fleet.waitAllUp();
    return fleet;
  }

  /** Waits until HAProxy has every instance up again (its stats page lists each server's status). */
  async waitAllUp(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        const stats = await get(`${this.url}/haproxy-stats;csv`);
        const up = stats.body.split('\n').filter((line) => line.startsWith('app,app') && line.split(',')[17] === 'UP').length;
        return up === this.instances.length;
      },
      timeoutMs,
      'every instance up in HAProxy',
    );
  }

  /** SIGTERMs instance `i` (it drains: readiness 503, then the listener closes), waits for it to exit 0, starts it again on its port. */
  async restart(i: number): Promise<number | string> {
    const instance = this.instances[i];
    instance.process.child.kill('SIGTERM');
    const code = await instance.process.exited;
    instance.process = await spawnApp({ ...this.env, APP_ROLE: 'api', PORT: String(instance.port) });
    await waitFor(async () => (await get(`${instance.url}/health/ready`)).status === 200, 30_000, `${instance.name} ready again`);
    await this.waitAllUp();
    return code;
  }

  async stop(): Promise<void> {
    this.haproxy.kill('SIGKILL');
    await Promise.all([...this.instances.map((instance) => stopProcess(instance.process)), stopProcess(this.worker)]);
    rmSync(this.haproxyDir, { recursive: true, force: true });
    await this.isolation.cleanup();
  }
}

/**
 * HAProxy in front of the instances: round robin, `/health/ready` checked every 200 ms (two failures
 * in a row take an instance out, well within its 1 s drain; two passes bring it back; a check may take
 * 1 s, as the kubelet's default), a request whose connection to an instance fails
 * is sent to another (`retry-on conn-failure`: the request never reached the first, so even a PUT is
 * safe to resend). Stats at `/haproxy-stats` on the same frontend, for `waitAllUp`.
 */
function haproxyConfig(frontPort: number, instances: readonly FleetInstance[]): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-keep-alive 10s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure',
    'frontend front',
    `  bind 127.0.0.1:${frontPort}`,
    '  stats enable',
    '  stats uri /haproxy-stats',
    '  default_backend app',
    'backend app',
    '  balance roundrobin',
    '  option httpchk GET /health/ready',
    '  http-check expect status 200',
    '  timeout check 1s',
    '  default-server inter 200ms fall 2 rise 2',
    ...instances.map((instance) => `  server ${instance.name} 127.0.0.1:${instance.port} check`),
    '',
  ].join('\n');
}
