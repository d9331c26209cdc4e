import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Delivery {
  readonly key: string;
  readonly version: string;
  readonly body: { id: number; version: number; kind: string };
  readonly status: number;
  /** `performance.now()` when it arrived. */
  readonly at: number;
}

/**
 * A real HTTP webhook receiver on a free port: answers each POST with the
 * status `answer(body, attemptOfThisKey)` gives (200 by default) and records
 * every request. `accepted(key)` counts the 2xx answers of a key: what a
 * receiver that drops duplicates by `Idempotency-Key` would have applied.
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  answer: (body: Delivery['body'], attempt: number) => number = () => 200;
  /** Holds each answer this long (a slow receiver). */
  hold = 0;
  private readonly arrivals = new Map<string, number>();
  private server?: Server;

  async start(): Promise<string> {
    if (this.server) await this.stop();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const key = String(req.headers['idempotency-key']);
        this.arrivals.set(key, (this.arrivals.get(key) ?? 0) + 1);
        setTimeout(() => this.respond(chunks, req, res), this.hold);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/events`;
  }

  /** True once a request of `key` arrived (answered or not yet). */
  arrived(key: string): boolean {
    return this.arrivals.has(key);
  }

  /** Requests of `key` that arrived, answered or not (a sender killed while the answer was held is one). */
  arrivalsOf(key: string): number {
    return this.arrivals.get(key) ?? 0;
  }

  private respond(chunks: Buffer[], req: IncomingMessage, res: ServerResponse): void {
    // The sender went away while the answer was held (a worker killed mid-job): nothing was delivered.
    if (req.socket.destroyed) return;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Delivery['body'];
    const key = String(req.headers['idempotency-key']);
    const attempt = this.deliveries.filter((d) => d.key === key).length + 1;
    const status = this.answer(body, attempt);
    this.deliveries.push({
      key,
      version: String(req.headers['x-product-version']),
      body,
      status,
      at: performance.now(),
    });
    res.writeHead(status).end();
  }

  of(key: string): Delivery[] {
    return this.deliveries.filter((d) => d.key === key);
  }

  accepted(key: string): number {
    return this.of(key).filter((d) => d.status >= 200 && d.status < 300).length;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
