import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { freePort } from './app-process';
import { waitFor } from './test-app';

/**
 * A throwaway `redis-server` (no persistence) on its own loopback port, for
 * tests that kill Redis: the shared Redis is never stopped or flushed.
 * Always {@link stop} it (afterAll/afterEach); `kill()` is the SIGKILL outage.
 */
export class ThrowawayRedis {
  private child?: ChildProcess;
  private exited?: Promise<void>;

  private constructor(readonly port: number) {}

  /** Starts a server on a free port and waits until it answers PING. */
  static async start(): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts an empty server on the same port (after {@link kill}) and waits until it answers PING. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('ThrowawayRedis is already running');
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: 'ignore',
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitFor(() => ping(this.port), 5_000, `redis-server on port ${this.port}`);
  }

  /** SIGKILL: the server vanishes mid-command, as in a crash. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** Same as {@link kill}; for afterAll. */
  stop(): Promise<void> {
    return this.kill();
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
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}
