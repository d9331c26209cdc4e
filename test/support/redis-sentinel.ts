import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './app-process';
import { ThrowawayRedis } from './redis-server';
import { waitFor } from './test-app';

/** The primary's name the sentinels monitor. */
export const SENTINEL_MASTER_NAME = 'bulwark-test';

/** One `redis-server --sentinel` process. */
class Sentinel {
  private exited?: Promise<void>;
  private child?: ChildProcess;

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  async start(primaryPort: number, downAfterMs: number): Promise<void> {
    // Sentinel rewrites its config file (the current primary, known replicas and sentinels): one file each.
    const file = join(this.dir, `sentinel-${this.port}.conf`);
    writeFileSync(
      file,
      [
        `port ${this.port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} ${downAfterMs}`,
        `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 10000`,
        `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [file, '--sentinel'], { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const probe = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await waitFor(
        async () => {
          try {
            if (probe.status !== 'ready') await probe.connect();
            return (await probe.ping()) === 'PONG';
          } catch {
            probe.disconnect();
            return false;
          }
        },
        10_000,
        `sentinel on port ${this.port}`,
      );
    } finally {
      probe.disconnect();
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * A throwaway Sentinel setup on free loopback ports: a primary, `replicas`
 * replicas and three sentinels (quorum 2) watching it as
 * {@link SENTINEL_MASTER_NAME}, with `down-after-milliseconds` short enough
 * for a test (a failover takes about that plus a second or two). Never the
 * shared Redis. `killPrimary()` is the SIGKILL outage; {@link stop} it in afterAll.
 */
export class ThrowawaySentinelSet {
  private constructor(
    readonly servers: ThrowawayRedis[],
    private readonly sentinels: Sentinel[],
    private readonly dir: string,
  ) {}

  static async start(options: { replicas?: number; downAfterMs?: number } = {}): Promise<ThrowawaySentinelSet> {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-sentinel-'));
    // No diskless-sync delay (Redis waits 5 s by default for more replicas to sync at once), on every server: each may be promoted.
    const fast = ['--repl-diskless-sync-delay', '0'];
    const primary = await ThrowawayRedis.start({ args: fast });
    const replicas: ThrowawayRedis[] = [];
    for (let i = 0; i < (options.replicas ?? 1); i++) {
      replicas.push(await ThrowawayRedis.start({ args: [...fast, '--replicaof', '127.0.0.1', String(primary.port)] }));
    }
    const set = new ThrowawaySentinelSet([primary, ...replicas], [], dir);
    await waitFor(async () => (await set.connectedReplicas(primary.port)) === replicas.length, 15_000, 'the replicas to sync');
    for (let i = 0; i < 3; i++) {
      const sentinel = new Sentinel(await freePort(), dir);
      await sentinel.start(primary.port, options.downAfterMs ?? 1000);
      set.sentinels.push(sentinel);
    }
    // Each sentinel has found the replicas and the other sentinels (through the primary's hello channel).
    await waitFor(
      async () => (await set.sentinelsSeeEachOther()) && (await set.replicasKnown(replicas.length)),
      15_000,
      'the sentinels to discover each other',
    );
    return set;
  }

  /** The `REDIS_SENTINELS` value. */
  get sentinelList(): string {
    return this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
  }

  /** The port of the server the sentinels call primary now. */
  async primaryPort(): Promise<number> {
    return this.askSentinel(async (client) => {
      const [, port] = (await client.call('SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER_NAME)) as [string, string];
      return Number(port);
    });
  }

  /** The running server on `port`. */
  server(port: number): ThrowawayRedis {
    const server = this.servers.find((s) => s.port === port);
    if (!server) throw new Error(`no server on port ${port}`);
    return server;
  }

  /**
   * SIGKILLs the current primary; returns its port. With `replicasStalledMs`, the replicas are
   * frozen (SIGSTOP) and cut off from the primary that long first, and thawed right after the
   * kill: the primary goes on acknowledging writes that no replica receives, the replication lag a
   * slow network or replica causes, which an asynchronous failover loses (keep it below the
   * sentinels' down-after time).
   */
  async killPrimary(options: { replicasStalledMs?: number } = {}): Promise<number> {
    const port = await this.primaryPort();
    const replicas = this.servers.filter((s) => s.port !== port && s.running);
    if (options.replicasStalledMs) {
      for (const replica of replicas) replica.pause();
      // Their links cut too: what the primary sent so far sits in kernel buffers that a thawed replica still reads,
      // but nothing written from here on leaves the primary (a frozen replica cannot reconnect).
      const primary = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      try {
        await primary.client('KILL', 'TYPE', 'replica');
      } finally {
        primary.disconnect();
      }
      await new Promise((resolve) => setTimeout(resolve, options.replicasStalledMs));
    }
    await this.server(port).kill();
    for (const replica of replicas) replica.resume();
    return port;
  }

  /** Waits until the sentinels name another primary than `oldPort`, and it has `replicas` replicas in sync. */
  async waitForFailover(oldPort: number, replicas: number, timeoutMs = 20_000): Promise<number> {
    let port = oldPort;
    await waitFor(
      async () => {
        port = await this.primaryPort().catch(() => oldPort);
        return port !== oldPort && (await this.connectedReplicas(port)) >= replicas;
      },
      timeoutMs,
      'the failover',
    );
    return port;
  }

  async stop(): Promise<void> {
    for (const server of this.servers) server.resume();
    await Promise.all(this.sentinels.map((s) => s.stop()));
    await Promise.all(this.servers.map((s) => s.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Replicas online on the server on `port` (INFO replication). */
  async connectedReplicas(port: number): Promise<number> {
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    try {
      await client.connect();
      const info = await client.info('replication');
      return [...info.matchAll(/^slave\d+:.*state=online/gm)].length;
    } catch {
      return -1;
    } finally {
      client.disconnect();
    }
  }

  private async sentinelsSeeEachOther(): Promise<boolean> {
    const counts = await Promise.all(
      this.sentinels.map((s) =>
        this.onSentinel(s.port, async (client) => ((await client.call('SENTINEL', 'sentinels', SENTINEL_MASTER_NAME)) as unknown[]).length),
      ),
    );
    return counts.every((n) => n === this.sentinels.length - 1);
  }

  private async replicasKnown(replicas: number): Promise<boolean> {
    const counts = await Promise.all(
      this.sentinels.map((s) =>
        this.onSentinel(s.port, async (client) => ((await client.call('SENTINEL', 'replicas', SENTINEL_MASTER_NAME)) as unknown[]).length),
      ),
    );
    return counts.every((n) => n === replicas);
  }

  private async askSentinel<T>(ask: (client: Redis) => Promise<T>): Promise<T> {
    let last: unknown;
    for (const sentinel of this.sentinels) {
      try {
        return await this.onSentinel(sentinel.port, ask);
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }

  private async onSentinel<T>(port: number, ask: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    try {
      await client.connect();
      return await ask(client);
    } finally {
      client.disconnect();
    }
  }
}
