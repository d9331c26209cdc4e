import Fastify from 'fastify';

/**
 * Baseline `fastify-constant`: a bare Fastify server (no logger, no hooks)
 * whose `GET /products/:id` returns a pre-serialised product of the same shape
 * and size (~840 bytes) as the app's. It measures what Fastify and the
 * loopback cost alone, without Nest, validation or a database.
 * Listens on 127.0.0.1:$PORT; exits 0 on SIGTERM or SIGINT.
 */
const BODY = JSON.stringify({
  id: 1,
  sku: 'DEMO-0000001',
  name: 'Demo product 1',
  description:
    'A demonstration product of the Bulwark catalog. It exists so that a fresh start answers at once and so that ' +
    'benchmarks read a body of realistic size: a name, a price in minor units, a currency, stock, a few tags and ' +
    'this description, which is long enough to resemble the marketing copy of a real catalog entry. It says ' +
    'nothing in particular, but it says it at length: materials, dimensions, care instructions, the warranty, ' +
    'the story of the workshop that made it and the reasons to buy two. None of that is true, and all of it is ' +
    'harmless. Set CATALOG_SEED_COUNT=0 to start with an empty catalog instead.',
  priceMinor: 8019,
  currency: 'EUR',
  stock: 31,
  tags: ['demo', 'group-1'],
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

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
