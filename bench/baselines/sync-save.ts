import 'reflect-metadata';
import { Body, Controller, Get, Module, NotFoundException, Param, ParseIntPipe, Put } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Column, Entity, PrimaryColumn, VersionColumn, type Repository } from 'typeorm';
import { Client } from 'pg';
import { demoProduct } from './demo-product';

/**
 * Baseline `sync-save`: the write path most Nest code has. A Nest 11 app on
 * Fastify with `PUT /products/:id` (same route and body as the app), which
 * loads the row with TypeORM (`findOneBy`), assigns the fields and awaits
 * `repository.save()` before answering: a transaction with the row's SELECT
 * and UPDATE (`@VersionColumn` bumps the version) per request. Its own schema
 * (`BENCH_SYNC_SCHEMA`, default `bench_sync`), created with `synchronize` and
 * seeded with the 1000 demo products on start. Nest's logger keeps errors and
 * warnings; Fastify's logger is off. Listens on 127.0.0.1:$PORT.
 */
const SCHEMA = process.env.BENCH_SYNC_SCHEMA ?? 'bench_sync';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/bulwark';

@Entity({ name: 'products', schema: SCHEMA })
class ProductEntity {
  @PrimaryColumn('bigint') id!: string;
  @Column('varchar', { length: 64, unique: true }) sku!: string;
  @Column('varchar', { length: 200 }) name!: string;
  @Column('text', { default: '' }) description!: string;
  @Column('bigint', { name: 'price_minor' }) priceMinor!: string;
  @Column('char', { length: 3 }) currency!: string;
  @Column('integer', { default: 0 }) stock!: number;
  @Column('text', { array: true, default: '{}' }) tags!: string[];
  @VersionColumn() version!: number;
}

interface ProductBody {
  sku: string;
  name: string;
  description?: string;
  priceMinor: number;
  currency: string;
  stock?: number;
  tags?: string[];
}

@Controller('products')
class ProductsController {
  constructor(@InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>) {}

  @Put(':id')
  async replace(@Param('id', ParseIntPipe) id: number, @Body() body: ProductBody): Promise<ProductEntity> {
    const product = await this.products.findOneBy({ id: String(id) });
    if (!product) throw new NotFoundException(`Product ${id} does not exist.`);
    Object.assign(product, {
      sku: body.sku,
      name: body.name,
      description: body.description ?? '',
      priceMinor: String(body.priceMinor),
      currency: body.currency,
      stock: body.stock ?? 0,
      tags: body.tags ?? [],
    });
    return this.products.save(product);
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
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: DATABASE_URL,
      entities: [ProductEntity],
      synchronize: true,
      poolSize: 10,
    }),
    TypeOrmModule.forFeature([ProductEntity]),
  ],
  controllers: [ProductsController, HealthController],
})
class BaselineModule {}

async function main(): Promise<void> {
  // `synchronize` creates the table, not its schema.
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  await client.end();
  const app = await NestFactory.create<NestFastifyApplication>(BaselineModule, new FastifyAdapter({ logger: false }), { logger: ['error', 'warn'] });
  const repository = app.get<Repository<ProductEntity>>('ProductEntityRepository');
  if ((await repository.count()) === 0) {
    await repository.insert(
      Array.from({ length: 1000 }, (_, i) => {
        const p = demoProduct(i + 1);
        return {
          id: String(p.id),
          sku: p.sku,
          name: p.name,
          description: p.description,
          priceMinor: String(p.priceMinor),
          currency: p.currency,
          stock: p.stock,
          tags: [...p.tags],
          version: 1,
        };
      }),
    );
  }
  app.enableShutdownHooks();
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
