/** The webhook did not take a delivery: `status` is the HTTP status, or undefined when no answer came. */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';

  constructor(
    readonly status: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /**
   * True for answers no retry can fix: a 4xx, except 408 (timeout) and 429
   * (too many requests), which say "later", not "never".
   */
  get permanent(): boolean {
    return this.status !== undefined && this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}
