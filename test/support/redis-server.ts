import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports';

/**
 * A throwaway `redis-server` on its own loopback port, for tests that kill
 * Redis: the shared Redis is never stopped or flushed. No persistence by
 * default; with `appendOnly` its append-only file (`appendfsync always`)
 * lives in a temp directory, so a restart after `kill()` shows what survives
 * a crash. Always {@link stop} it (afterAll/afterEach); `kill()` is the
 * SIGKILL outage.
 */
export class ThrowawayRedis {
  private child?: ChildProcess;
  private exited?: Promise<void>;

  private constructor(
    readonly port: number,
    /** Its working directory (the append-only file when persistent; a replica's synced RDB). */
    private readonly dir: string,
    private readonly appendOnly: boolean,
    /** More `redis-server` arguments (`['--maxmemory', '2mb']`, `['--replicaof', '127.0.0.1', '6390']`). */
    private readonly args: readonly string[] = [],
  ) {}

  /** Starts a server on a free port (with `args` added to its command line) and waits until it answers PING. */
  static async start(options: { appendOnly?: boolean; args?: readonly string[] } = {}): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort(), mkdtempSync(join(tmpdir(), 'bulwark-redis-')), options.appendOnly ?? false, options.args);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /**
   * Starts the server again on the same port (after {@link kill}) and waits
   * until it answers PING (not while it still loads its append-only file):
   * empty, or with what its append-only file kept.
   */
  async restart(): Promise<void> {
    if (this.child) throw new Error('ThrowawayRedis is already running');
    const persistence = ['--dir', this.dir, ...(this.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'])];
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--daemonize', 'no', ...this.args], {
      stdio: 'ignore',
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitFor(() => ping(this.port), 10_000, `redis-server on port ${this.port}`);
  }

  /** SIGKILL: the server vanishes mid-command, as in a crash. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGSTOP: the server is frozen (a stalled replica, a partition), its connections open; {@link resume} ends it. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after {@link pause}. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** {@link kill}, then removes the append-only file; for afterAll. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** True when a server on `port` answers PING with PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    // While it loads an append-only file Redis answers -LOADING: not ready yet.
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}
