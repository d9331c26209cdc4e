export { productEventsConfig } from './product-events.config';
export { PRODUCT_EVENTS_QUEUE } from './product-events.constants';
export { ProductEventsModule } from './product-events.module';
export { ProductEventsPublisher } from './product-events.publisher';
export { productEventKey } from './product-events.types';
export type { ProductEvent, ProductEventKind } from './product-events.types';
