import 'reflect-metadata';
import { CacheInterceptor, CacheModule } from '@nestjs/cache-manager';
import { Controller, Get, Module, NotFoundException, Param, ParseIntPipe, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { demoProduct, type DemoProduct } from './demo-product';

/**
 * Baseline `nest-cache-interceptor`: what Nest's documentation offers for
 * this job. A minimal Nest 11 app on Fastify with one controller,
 * `GET /products/:id`, behind `@UseInterceptors(CacheInterceptor)` from
 * `@nestjs/cache-manager`, over `CacheModule.register()`: cache-manager 7's
 * `createCache()` with its default in-memory Keyv store (a `Map`, values kept
 * as objects, not serialised). The handler returns the product object from a
 * pre-built array of the 1000 seeded products (404 past it).
 *
 * After one request per id every request is a hit: Fastify routing, Nest's
 * router (no guards, no pipes run on a hit: they sit inside `next.handle()`),
 * the interceptor's `await cacheManager.get(url)`, an RxJS `of(value)`, and
 * `JSON.stringify` of the object by Nest's Fastify adapter. The response
 * carries `X-Cache: HIT` (MISS on the first request of an id).
 * Nest's logger keeps errors and warnings (like the app's `LOG_LEVEL=warn`);
 * it writes nothing per request at any level. Fastify's logger is off.
 * Listens on 127.0.0.1:$PORT; exits 0 on SIGTERM or SIGINT.
 */
const PRODUCTS: readonly DemoProduct[] = Array.from({ length: 1000 }, (_, i) => demoProduct(i + 1));

/** Long enough that no entry expires during a run, like the app's `CACHE_L1_TTL_MS` in the scenario. */
const TTL_MS = 600_000;

@Controller('products')
class ProductsController {
  @Get(':id')
  @UseInterceptors(CacheInterceptor)
  get(@Param('id', ParseIntPipe) id: number): DemoProduct {
    const product = PRODUCTS[id - 1];
    if (!product) throw new NotFoundException(`Product ${id} does not exist.`);
    return product;
  }
}

@Module({
  imports: [CacheModule.register({ ttl: TTL_MS })],
  controllers: [ProductsController],
})
class BaselineModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(BaselineModule, new FastifyAdapter({ logger: false }), {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
