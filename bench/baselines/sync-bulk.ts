import 'reflect-metadata';
import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { demoProduct } from './demo-product';

/**
 * Baseline `sync-bulk`: the bulk body of `POST /products/bulk` written synchronously. A Nest 11
 * app on Fastify whose `POST /products/bulk` takes the same `{"items":[{"op":"replace","id",
 * "product"}…]}` body as the app and writes every item with one multi-row statement
 * (`UPDATE … FROM unnest(…)`, the version bumped by one) before answering each item's new
 * version: the best a handler that writes straight to PostgreSQL can do with such a request.
 * Replaces only (what the bench sends). Its own schema (`BENCH_SYNC_BULK_SCHEMA`, default
 * `bench_sync_bulk`), seeded with the 1000 demo products on start. Listens on 127.0.0.1:$PORT.
 */
const SCHEMA = process.env.BENCH_SYNC_BULK_SCHEMA ?? 'bench_sync_bulk';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/bulwark';
const POOL = Symbol('pg pool');

interface ReplaceItem {
  op: 'replace';
  id: number;
  product: { sku: string; name: string; description?: string; priceMinor: number; currency: string; stock?: number; tags?: string[] };
}

@Controller('products')
class BulkController {
  constructor(@Inject(POOL) private readonly pool: Pool) {}

  @Post('bulk')
  @HttpCode(200)
  async bulk(@Body() body: { items?: ReplaceItem[] }): Promise<{ items: Array<{ status: number; id: number; version: number }> }> {
    const items = body.items;
    if (!Array.isArray(items) || items.length === 0 || items.some((item) => item.op !== 'replace')) throw new BadRequestException('replaces only');
    const { rows } = await this.pool.query<{ id: string; version: number }>(
      `UPDATE "${SCHEMA}".products p SET sku = u.sku, name = u.name, description = u.description, price_minor = u.price_minor,
              currency = u.currency, stock = u.stock, version = p.version + 1
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::int[])
              AS u(id, sku, name, description, price_minor, currency, stock)
        WHERE p.id = u.id
        RETURNING p.id, p.version`,
      [
        items.map((item) => item.id),
        items.map((item) => item.product.sku),
        items.map((item) => item.product.name),
        items.map((item) => item.product.description ?? ''),
        items.map((item) => item.product.priceMinor),
        items.map((item) => item.product.currency),
        items.map((item) => item.product.stock ?? 0),
      ],
    );
    const versions = new Map(rows.map((row) => [Number(row.id), row.version]));
    return { items: items.map((item) => ({ status: versions.has(item.id) ? 200 : 404, id: item.id, version: versions.get(item.id) ?? 0 })) };
  }
}

@Controller('health')
class HealthController {
  @Get()
  ok(): string {
    return 'ok';
  }
}

@Module({
  controllers: [BulkController, HealthController],
  providers: [{ provide: POOL, useFactory: () => new Pool({ connectionString: DATABASE_URL, max: 10 }) }],
})
class BaselineModule {}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${SCHEMA}"`);
  await pool.query(`CREATE TABLE IF NOT EXISTS "${SCHEMA}".products (
    id bigint PRIMARY KEY, sku varchar(64) UNIQUE NOT NULL, name varchar(200) NOT NULL, description text NOT NULL DEFAULT '',
    price_minor bigint NOT NULL, currency char(3) NOT NULL, stock integer NOT NULL DEFAULT 0, tags text[] NOT NULL DEFAULT '{}',
    version integer NOT NULL DEFAULT 1)`);
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${SCHEMA}".products`);
  if (Number(rows[0].n) === 0) {
    const products = Array.from({ length: 1000 }, (_, i) => demoProduct(i + 1));
    await pool.query(
      `INSERT INTO "${SCHEMA}".products (id, sku, name, description, price_minor, currency, stock)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::int[])`,
      [
        products.map((p) => p.id),
        products.map((p) => p.sku),
        products.map((p) => p.name),
        products.map((p) => p.description),
        products.map((p) => p.priceMinor),
        products.map((p) => p.currency),
        products.map((p) => p.stock),
      ],
    );
  }
  await pool.end();
  const app = await NestFactory.create<NestFastifyApplication>(BaselineModule, new FastifyAdapter({ logger: false }), { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
