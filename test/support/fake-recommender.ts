import { createServer, type Server } from 'node:http';

/** How the fake recommender answers: after `latencyMs`, `status` with `body` (a string is sent as is, anything else as JSON). */
export interface RecommenderBehaviour {
  latencyMs: number;
  status: number;
  /** The JSON body, or a function of the product id that returns it. */
  body: unknown;
}

/** A real HTTP recommender on loopback whose answers a test controls. */
export interface FakeRecommender {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Requests received (path and query), in order. */
  readonly requests: string[];
  /** Requests whose client went away before the answer (an aborted fetch). */
  aborted(): number;
  /** Changes how it answers from now on (fields not given are kept). */
  set(behaviour: Partial<RecommenderBehaviour>): void;
  /** Stops it, dropping connections still waiting for a slow answer. */
  close(): Promise<void>;
}

/** Starts a fake recommender answering `{"productIds": […]}` per `behaviour` (default: at once, 200, `[2, 3]`). */
export async function startFakeRecommender(behaviour: Partial<RecommenderBehaviour> = {}): Promise<FakeRecommender> {
  const current: RecommenderBehaviour = { latencyMs: 0, status: 200, body: { productIds: [2, 3] }, ...behaviour };
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let aborted = 0;
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const id = Number(/^\/recommendations\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    const { latencyMs, status, body } = current;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const value = typeof body === 'function' ? (body as (productId: number) => unknown)(id) : body;
      res.writeHead(status, { 'content-type': 'application/json' }).end(typeof value === 'string' ? value : JSON.stringify(value));
    }, latencyMs);
    timers.add(timer);
    req.on('close', () => {
      if (!res.writableEnded) {
        aborted++;
        clearTimeout(timer);
        timers.delete(timer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    aborted: () => aborted,
    set: (next) => Object.assign(current, next),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
