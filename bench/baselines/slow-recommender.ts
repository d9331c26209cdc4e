import { createServer, type ServerResponse } from 'node:http';

/**
 * Helper server `slow-recommender`: the downstream recommender of the
 * `product-with-slow-dependency` scenario. `GET /recommendations/:id`
 * answers `{"productIds": [10 other ids of 1..1000]}` after
 * `RECOMMENDER_DELAY_MS` (default 2000); `GET /ready` answers at once (the
 * harness's readiness check). Listens on 127.0.0.1:$PORT; exits 0 on SIGTERM
 * or SIGINT, dropping answers still pending.
 */
const DELAY_MS = Number(process.env.RECOMMENDER_DELAY_MS ?? 2000);
const pending = new Set<NodeJS.Timeout>();

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
}

const server = createServer((req, res) => {
  const match = /^\/recommendations\/(\d+)/.exec(req.url ?? '');
  if (req.url === '/ready') return answer(res, 200, '{}');
  if (!match) return answer(res, 404, '{}');
  const id = Number(match[1]);
  const productIds = Array.from({ length: 10 }, (_, i) => ((id + i * 37) % 1000) + 1);
  const timer = setTimeout(() => {
    pending.delete(timer);
    if (!res.destroyed) answer(res, 200, JSON.stringify({ productIds }));
  }, DELAY_MS);
  pending.add(timer);
  // A client that gives up (the app's timeout aborted its fetch) frees the timer.
  res.once('close', () => {
    clearTimeout(timer);
    pending.delete(timer);
  });
});
server.keepAliveTimeout = 72_000;

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  for (const timer of pending) clearTimeout(timer);
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
