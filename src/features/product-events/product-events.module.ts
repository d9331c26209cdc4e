import { Module } from '@nestjs/common';
import { JobsModule } from '../../jobs';
import { ResilienceModule } from '../../resilience';
import { ProductChangesModule } from '../catalog';
import { PRODUCT_EVENTS_POLICY, PRODUCT_EVENTS_QUEUE } from './product-events.constants';
import { productEventsConfig, type ProductEventsConfig } from './product-events.config';
import { ProductEventsProcessor } from './product-events.processor';
import { ProductEventsPublisher } from './product-events.publisher';
import { WebhookClient } from './webhook.client';

/**
 * Product events: a limited-retry job per product version delivered to a
 * webhook. The publisher listens to the catalog's accepted writes
 * ({@link ProductChangesModule}); the processor runs where the jobs kit runs
 * workers (APP_ROLE worker|all). The catalog does not know this module: the
 * app loads it beside the catalog, and alone in a worker process.
 */
@Module({
  imports: [
    ProductChangesModule,
    JobsModule.forFeature({ name: PRODUCT_EVENTS_QUEUE }),
    ResilienceModule.forFeature({
      name: PRODUCT_EVENTS_POLICY,
      inject: [productEventsConfig.token],
      useFactory: (config: ProductEventsConfig) => config.policy,
    }),
  ],
  providers: [ProductEventsPublisher, WebhookClient, ProductEventsProcessor],
  exports: [ProductEventsPublisher],
})
export class ProductEventsModule {}
