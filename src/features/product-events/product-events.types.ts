/** What changed. */
export type ProductEventKind = 'created' | 'updated' | 'deleted';

/** The body POSTed to the webhook. */
export interface ProductEvent {
  readonly id: number;
  readonly version: number;
  readonly kind: ProductEventKind;
}

/** The idempotency key (BullMQ job id) of one product version: `product:<id>:v<version>`. */
export function productEventKey(event: Pick<ProductEvent, 'id' | 'version'>): string {
  return `product:${event.id}:v${event.version}`;
}
