import { ApiError } from '../http';

/**
 * 503: this instance is shutting down (its HTTP listener is closing) and did
 * not process the request. Sent with `Connection: close`; the client retries on
 * a new connection, which reaches another instance.
 */
export class ShuttingDownError extends ApiError {
  readonly status = 503;
  readonly code = 'E_SHUTTING_DOWN';
  readonly title = 'Service unavailable';

  constructor() {
    super('This instance is shutting down and did not process the request. Retry it: another instance will answer.', { headers: { 'retry-after': '1' } });
  }
}
