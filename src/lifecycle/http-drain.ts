import { Logger } from '@nestjs/common';
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The HTTP side of shutdown, on the `node:http` server in front of Fastify
 * (see `createApp`):
 *
 * - From {@link begin} (the shutdown signal, through `ShutdownSequence.onDrain`)
 *   every response is written with `Connection: close` and its connection
 *   closed after it, so that keep-alive clients open their next connection to
 *   a pod still in the Service instead of reusing one that is about to go away.
 *   It is decided where the status line is written: the server's responses are
 *   {@link ServerResponse}, whose `writeHead` (called by Fastify and by the raw
 *   L1 fast path alike) turns `shouldKeepAlive` off while draining. Node then
 *   writes the header itself and ends the socket after the response; a request
 *   that arrived before the signal but is answered after it gets it too.
 * - At {@link close} (Fastify's `preClose`, once the drain delay is over, just
 *   before the listener closes) the app answers every new request 503
 *   `E_SHUTTING_DOWN` (see {@link closing}), and connections that never sent a
 *   byte are destroyed: `server.close()` closes idle keep-alive connections,
 *   but Node counts a connection as idle only once it has carried a request, so
 *   a client that connects and sends nothing would hold the server open.
 *   Requests in flight finish. Past `graceMs` every connection still open is
 *   destroyed, so that shutdown goes on and the process exits 0.
 *
 * Closing any connection races a request the client may be sending on it at
 * that moment; the drain delay (the endpoint is gone from the Service by then)
 * and `Connection: close` leave no connection in use by the time it happens.
 */
export class HttpDrain {
  /** The response class of the server: `Connection: close` while draining. */
  readonly ServerResponse: typeof ServerResponse;
  private draining = false;
  private closingNow = false;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly graceMs: number,
    private readonly logger: Pick<Logger, 'log' | 'warn'> = new Logger('Shutdown'),
  ) {
    const draining = (): boolean => this.draining;
    this.ServerResponse = class DrainingResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
      override writeHead(...args: [statusCode: number, ...rest: unknown[]]): this {
        if (draining()) this.shouldKeepAlive = false;
        return (ServerResponse.prototype.writeHead as (...all: unknown[]) => this).apply(this, args);
      }
    };
  }

  /** True from {@link begin} on. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** True from {@link close} on: a request that arrives now is answered 503 `E_SHUTTING_DOWN`. */
  get closing(): boolean {
    return this.closingNow;
  }

  /** Tracks the connections of `server` (created with {@link ServerResponse}), for {@link close}. */
  attach(server: Server): void {
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Shutdown has begun: answers from now on carry `Connection: close`. */
  begin(): void {
    this.draining = true;
  }

  /**
   * The listener is about to close (`server.close()` follows, which also
   * closes the idle keep-alive connections): destroys the connections that
   * never sent a byte and bounds the wait for the others by `graceMs`.
   */
  close(): void {
    this.draining = true;
    this.closingNow = true;
    const server = this.server;
    if (!server?.listening) return;
    let silent = 0;
    for (const socket of this.sockets) {
      if (socket.bytesRead > 0) continue;
      socket.destroy();
      silent += 1;
    }
    if (silent > 0) this.logger.log(`closed ${silent} HTTP connection(s) that had sent nothing`);
    const grace = setTimeout(() => {
      this.logger.warn(`HTTP requests still in flight ${this.graceMs} ms after the listener closed (SHUTDOWN_HTTP_GRACE_MS): closing their connections`);
      server.closeAllConnections();
    }, this.graceMs);
    grace.unref();
    server.once('close', () => clearTimeout(grace));
  }
}
