import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../config';
import { VERSION_HEADER } from './product-events.constants';
import { productEventsConfig, type ProductEventsConfig } from './product-events.config';
import { WebhookDeliveryError } from './product-events.errors';
import type { ProductEvent } from './product-events.types';

/**
 * POSTs one product event to `PRODUCT_EVENTS_WEBHOOK_URL` as JSON, with
 * `Idempotency-Key: <key>` and `X-Product-Version: <version>`. Any 2xx is
 * delivered; anything else is a {@link WebhookDeliveryError}, except the
 * abort of the policy's timeout, which the policy reports itself.
 */
@Injectable()
export class WebhookClient {
  constructor(@InjectConfig(productEventsConfig) private readonly config: ProductEventsConfig) {}

  async deliver(event: ProductEvent, key: string, signal: AbortSignal): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.config.webhookUrl!, {
        method: 'POST',
        signal,
        headers: { 'content-type': 'application/json', 'idempotency-key': key, [VERSION_HEADER]: String(event.version) },
        body: JSON.stringify({ id: event.id, version: event.version, kind: event.kind }),
      });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new WebhookDeliveryError(undefined, 'no answer from the webhook', { cause: error });
    }
    // The body is not needed; reading it frees the connection.
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status >= 300) throw new WebhookDeliveryError(response.status, `the webhook answered HTTP ${response.status}`);
  }
}
