import { Injectable, Logger, Module } from '@nestjs/common';
import { LogThrottle } from '../../logging';

/** One accepted write of a product, as other features hear of it. */
export interface ProductChange {
  readonly id: number;
  /** The product's version after the write. */
  readonly version: number;
  readonly kind: 'created' | 'updated' | 'deleted';
}

/** Acts on one accepted write; it should not throw (a failure is logged, and the write stays accepted). */
export type ProductChangeListener = (change: ProductChange) => Promise<void>;

/**
 * The catalog's accepted writes, for the features that act on them (product events; a search
 * index would be another): they subscribe, and the catalog knows none of them. The catalog emits
 * once a write is accepted and cached, and waits for the listeners before it answers, so what a
 * listener queues is queued when the client gets its 2xx.
 */
@Injectable()
export class ProductChanges {
  private readonly logger = new Logger('ProductChanges');
  private readonly throttle = new LogThrottle(1, 5);
  private readonly listeners: ProductChangeListener[] = [];

  subscribe(listener: ProductChangeListener): void {
    this.listeners.push(listener);
  }

  /** Hands `changes` to every listener, all at once; resolves when they are done, whatever they did. */
  async emit(changes: readonly ProductChange[]): Promise<void> {
    if (this.listeners.length === 0 || changes.length === 0) return;
    const results = await Promise.allSettled(changes.flatMap((change) => this.listeners.map((listener) => listener(change))));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length === 0) return;
    const suppressed = this.throttle.take();
    if (suppressed !== undefined)
      this.logger.warn({ failed: failed.length, suppressed, err: { message: (failed[0].reason as Error)?.message } }, 'a product change listener failed');
  }
}

/** The {@link ProductChanges} hub, one per app: the catalog emits, other features' modules import this one to subscribe. */
@Module({ providers: [ProductChanges], exports: [ProductChanges] })
export class ProductChangesModule {}
