import Fastify from 'fastify';
import { PRODUCT_1_JSON } from './demo-product';

/**
 * Baseline `fastify-constant`: a bare Fastify server (no logger, no hooks)
 * whose `GET /products/:id` returns a pre-serialised product of the same shape
 * and size (~840 bytes) as the app's. It measures what Fastify and the
 * loopback cost alone, without Nest, validation or a database.
 * Listens on 127.0.0.1:$PORT; exits 0 on SIGTERM or SIGINT.
 */
const BODY = PRODUCT_1_JSON;

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.get('/products/:id', (_request, reply) => {
    void reply.header('content-type', 'application/json; charset=utf-8').send(BODY);
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
