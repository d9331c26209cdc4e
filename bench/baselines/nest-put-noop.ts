import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Param, ParseIntPipe, Put } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Baseline `nest-put-noop`: the ceiling of any write path that runs inside a
 * Nest handler on this machine. A Nest 11 app on Fastify with the same route
 * and body as the app's `PUT /products/:id`, whose handler stores nothing: it
 * parses the id, takes the JSON body and answers 202 with the id and the
 * body's SKU. No validation, no logger per request, no Redis, no database
 * (the app adds a request logger, zod validation, the write path and the
 * cache update to this). Nest's logger keeps errors and warnings; Fastify's
 * logger is off. Listens on 127.0.0.1:$PORT; exits 0 on SIGTERM or SIGINT.
 */
@Controller('products')
class ProductsController {
  @Put(':id')
  @HttpCode(202)
  replace(@Param('id', ParseIntPipe) id: number, @Body() body: { sku?: unknown }): { id: number; sku: unknown } {
    return { id, sku: body.sku };
  }
}

@Controller('health')
class HealthController {
  @Get()
  ok(): string {
    return 'ok';
  }
}

@Module({ controllers: [ProductsController, HealthController] })
class BaselineModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(BaselineModule, new FastifyAdapter({ logger: false }), { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
