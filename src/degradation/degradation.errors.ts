import { ApiError, DependencyUnavailableError, type ApiErrorOptions } from '../http';

/** 503: the feature is switched off (or in fallback) and the route has no fallback; `Retry-After` is set. */
export class FeatureDisabledError extends ApiError {
  readonly status = 503;
  readonly code = 'E_FEATURE_DISABLED';
  readonly title = 'Feature disabled';

  constructor(
    readonly feature: string,
    retryAfterSeconds: number,
    options: ApiErrorOptions = {},
  ) {
    super(`The feature "${feature}" is temporarily unavailable. Try again later.`, {
      ...options,
      headers: { 'retry-after': String(retryAfterSeconds), ...options.headers },
    });
  }
}

/** 404: no feature declared this switch. */
export class SwitchNotFoundError extends ApiError {
  readonly status = 404;
  readonly code = 'E_SWITCH_NOT_FOUND';
  readonly title = 'Not found';

  constructor(feature: string) {
    super(`No feature declares a switch named "${feature}".`);
  }
}

/** 503 `E_DEPENDENCY_UNAVAILABLE`: the runtime override could not be stored in (or cleared from) Redis; nothing changed. */
export class SwitchStoreUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('The switch store (Redis) is unreachable: the override was not changed. Try again, or use the switches file.', {
      retryAfterSeconds: 5,
      cause,
    });
  }
}
