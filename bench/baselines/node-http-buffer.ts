import { createServer } from 'node:http';
import { PRODUCT_1_JSON } from './demo-product';

/**
 * Baseline `node-http-buffer`: a bare `node:http` server whose
 * `GET /products/:id` writes one pre-serialised Buffer (product 1, 836 bytes,
 * `application/json`) with an explicit Content-Length. No framework, no
 * routing table, no logging, nothing per request but parsing and a socket
 * write: about the most one Node process can answer on this route.
 * Other paths get 404. Listens on 127.0.0.1:$PORT; exits 0 on SIGTERM or SIGINT.
 */
const BODY = Buffer.from(PRODUCT_1_JSON);
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(BODY.length) };

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url !== undefined && req.url.startsWith('/products/')) {
    res.writeHead(200, HEADERS);
    res.end(BODY);
    return;
  }
  res.writeHead(404, { 'content-length': '0' });
  res.end();
});
// Same keep-alive behaviour as Fastify's default (72 s), so idle connections between rounds stay open.
server.keepAliveTimeout = 72_000;

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

server.once('error', (error) => {
  process.stderr.write(`${error.stack ?? String(error)}\n`);
  process.exit(1);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
