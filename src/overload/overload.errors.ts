import { ApiError } from '../http';

/** 503: the process has as much work in flight as it can serve at low latency; the request was not processed. */
export class OverloadedError extends ApiError {
  readonly status = 503;
  readonly code = 'E_OVERLOADED';
  readonly title = 'Service overloaded';

  constructor(retryAfterSeconds: number) {
    super('This instance is at its limit of requests in flight and did not process the request. Retry it later.', {
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}
