import { createServer, Socket, type Server } from 'node:net';

/**
 * A fault-injecting TCP proxy for chaos tests: put it between the app and a
 * real service, then add latency, or cut it (refuse and drop connections)
 * and restore it, without touching the shared service.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private latencyMs = 0;
  /** Which way the latency applies: both, or only the server's answers (a request then reaches the server at once). */
  private latencyDirection: 'both' | 'to-client' = 'both';
  private cut = false;
  /** Connections clients opened (or tried to: refused ones included) since start. */
  connectionAttempts = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    private readonly observeClient?: () => (chunk: Buffer) => void,
  ) {}

  /**
   * Starts a proxy on a free loopback port in front of `host:port`.
   * `observeClient`, when given, is called once per connection and returns a
   * function that sees every chunk the client sends (see `PgStatementTap`).
   */
  static async start(targetHost: string, targetPort: number, observeClient?: () => (chunk: Buffer) => void): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort, observeClient);
    await proxy.listen();
    return proxy;
  }

  /** The port clients connect to. */
  get port(): number {
    return (this.server!.address() as { port: number }).port;
  }

  /**
   * Delays every chunk in both directions by `ms` from now on, or (`'to-client'`) only what the server
   * sends: a query then runs on the server at once, on the data of that moment, and its answer arrives late.
   */
  setLatency(ms: number, direction: 'both' | 'to-client' = 'both'): void {
    this.latencyMs = ms;
    this.latencyDirection = direction;
  }

  /** Drops every open connection and refuses new ones until {@link restore}. */
  cutAll(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private listen(): Promise<void> {
    this.server = createServer((client) => this.pipe(client));
    return new Promise((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  private pipe(client: Socket): void {
    this.connectionAttempts++;
    if (this.cut) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    upstream.connect(this.targetPort, this.targetHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.setNoDelay(true);
    }
    const observe = this.observeClient?.();
    if (observe) client.on('data', observe);
    this.forward(client, upstream, false);
    this.forward(upstream, client, true);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  /** Copies `from` to `to`; each chunk leaves `latencyMs` after it arrived, in arrival order. */
  private forward(from: Socket, to: Socket, toClient: boolean): void {
    let queue = Promise.resolve();
    from.on('data', (chunk) => {
      const delayed = toClient || this.latencyDirection === 'both';
      const dueAt = Date.now() + (delayed ? this.latencyMs : 0);
      queue = queue.then(async () => {
        const waitMs = dueAt - Date.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        to.write(chunk);
      });
    });
  }
}
