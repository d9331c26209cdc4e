import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectConfig } from '../../config';
import { InjectJobProducer, type JobProducer } from '../../jobs';
import { LogThrottle } from '../../logging';
import { ProductChanges } from '../catalog';
import { PRODUCT_EVENTS_QUEUE } from './product-events.constants';
import { productEventsConfig, type ProductEventsConfig } from './product-events.config';
import { productEventKey, type ProductEvent } from './product-events.types';

/**
 * Queues a product event once a write is accepted (it listens to the catalog's {@link ProductChanges}),
 * under its idempotency key `product:<id>:v<version>`: one job per product
 * version, however often it is published. Off (nothing queued) without
 * `PRODUCT_EVENTS_WEBHOOK_URL`.
 *
 * Degrades to no event: the write is accepted already, so a queue that
 * cannot take the job (Redis down) does not fail it; the loss is logged
 * (throttled) and counted (`bulwark_jobs_add_failures_total`).
 */
@Injectable()
export class ProductEventsPublisher implements OnModuleInit {
  private readonly logger = new Logger('ProductEvents');
  private readonly throttle = new LogThrottle(1, 5);

  constructor(
    @InjectJobProducer(PRODUCT_EVENTS_QUEUE) private readonly jobs: JobProducer<ProductEvent>,
    @InjectConfig(productEventsConfig) private readonly config: ProductEventsConfig,
    private readonly changes: ProductChanges,
  ) {}

  onModuleInit(): void {
    this.changes.subscribe((change) => this.publish(change));
  }

  /** True when events are delivered (`PRODUCT_EVENTS_WEBHOOK_URL` set). */
  get enabled(): boolean {
    return this.config.webhookUrl !== undefined;
  }

  async publish(event: ProductEvent): Promise<void> {
    if (!this.enabled) return;
    try {
      await this.jobs.add(productEventKey(event), { id: event.id, version: event.version, kind: event.kind });
    } catch (error) {
      const suppressed = this.throttle.take();
      if (suppressed !== undefined)
        this.logger.warn({ productId: event.id, version: event.version, suppressed, err: { message: (error as Error).message } }, 'product event not queued');
    }
  }
}
