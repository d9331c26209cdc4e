import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { setTimeout as sleep } from 'node:timers/promises';

/** One write of a {@link WriteLoad}: what was sent, what came back, when and how long it took. */
export interface SentWrite {
  readonly kind: 'create' | 'update';
  /** The product updated (updates). */
  readonly id?: number;
  /** The stock sent: unique over the run, so a row's stock names the write that set it. */
  readonly stock: number;
  status: number;
  version?: number;
  /** The id a create got (and the id of an update). */
  createdId?: number;
  ms: number;
  /** Date.now() when it was sent. */
  readonly at: number;
}

/**
 * A steady write and read load on the products API through `app.inject`: `writers` loops, half
 * creating products (`sku` FO-<stock>), half updating products 1..`products` (seeded as
 * DEMO-<id>), and `readers` loops reading them; each write is recorded ({@link sent}), each read's
 * status too. A refused write pauses its loop 20 ms. The chaos tests count acknowledgements from it
 * ({@link lostWrites}).
 */
export class WriteLoad {
  readonly sent: SentWrite[] = [];
  readonly reads: number[] = [];
  private running = false;
  private stock = 0;
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly app: NestFastifyApplication,
    private readonly products: number,
  ) {}

  start({ writers = 16, readers = 2 } = {}): void {
    this.running = true;
    this.loops = [...Array.from({ length: writers }, (_, w) => this.writer(w % 2 === 0)), ...Array.from({ length: readers }, () => this.reader())];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** The writes that got a 2xx. */
  acked(): SentWrite[] {
    return this.sent.filter((s) => s.status < 300);
  }

  private async writer(create: boolean): Promise<void> {
    while (this.running) {
      const id = 1 + Math.floor(Math.random() * this.products);
      const stock = ++this.stock;
      const entry: SentWrite = { kind: create ? 'create' : 'update', ...(create ? {} : { id }), stock, status: 0, ms: 0, at: Date.now() };
      const started = performance.now();
      const res = await this.app.inject(
        create
          ? { method: 'POST', url: '/products', payload: { sku: `FO-${stock}`, name: 'Failover', priceMinor: 1, currency: 'EUR', stock } }
          : {
              method: 'PUT',
              url: `/products/${id}`,
              payload: { sku: `DEMO-${String(id).padStart(7, '0')}`, name: 'Failover', priceMinor: 1, currency: 'EUR', stock },
            },
      );
      entry.ms = performance.now() - started;
      entry.status = res.statusCode;
      if (res.statusCode < 300) {
        const body = res.json<{ id: number; version: number }>();
        entry.version = body.version;
        entry.createdId = body.id;
      }
      this.sent.push(entry);
      if (res.statusCode >= 300) await sleep(20);
    }
  }

  private async reader(): Promise<void> {
    while (this.running) {
      const res = await this.app.inject({ method: 'GET', url: `/products/${1 + Math.floor(Math.random() * this.products)}` });
      this.reads.push(res.statusCode);
      await sleep(2);
    }
  }
}

/** A row of the products table as the checks read it. */
export interface ProductRow {
  readonly version: number;
  readonly stock: number;
  readonly sku: string;
}

/**
 * The acknowledged writes of `sent` that PostgreSQL (`rows` by id) does not hold, described: a
 * create whose row is missing or has another sku; an update version acknowledged twice for one
 * row (the row went back: a write lost); a row behind its last acknowledged version, or at it with
 * another stock. (A row ahead of its last acknowledged version is fine: a 503 write may land.)
 */
export function lostWrites(sent: readonly SentWrite[], rows: ReadonlyMap<number, ProductRow>): string[] {
  const acked = sent.filter((s) => s.status < 300);
  const lost = acked
    .filter((s) => s.kind === 'create' && rows.get(s.createdId!)?.sku !== `FO-${s.stock}`)
    .map((s) => `create FO-${s.stock} (id ${s.createdId})`);
  const byRow = new Map<number, SentWrite[]>();
  for (const s of acked) if (s.kind === 'update') byRow.set(s.id!, [...(byRow.get(s.id!) ?? []), s]);
  for (const [id, writes] of byRow) {
    const mine = writes.sort((a, b) => a.version! - b.version!);
    for (let i = 1; i < mine.length; i++) if (mine[i].version === mine[i - 1].version) lost.push(`product ${id} v${mine[i].version} acknowledged twice`);
    const last = mine[mine.length - 1];
    const row = rows.get(id);
    if (!row || row.version < last.version!) lost.push(`product ${id}: v${last.version} acknowledged, PostgreSQL has v${row?.version}`);
    else if (row.version === last.version && row.stock !== last.stock)
      lost.push(`product ${id} v${row.version}: stock ${row.stock}, acknowledged ${last.stock}`);
  }
  return lost;
}
