import { ApiError, ConflictError, ResourceNotFoundError } from '../../http';

/** 404: no product with this id. */
export class ProductNotFoundError extends ResourceNotFoundError {
  constructor(readonly productId: number) {
    super(`Product ${productId} does not exist.`);
  }
}

/** 409: another product already has this SKU. */
export class DuplicateSkuError extends ConflictError {
  override readonly code = 'E_DUPLICATE_SKU';

  constructor(sku: string, cause?: unknown) {
    super(`A product with SKU "${sku}" already exists.`, { cause });
  }
}

/** 409: the If-Match / version precondition names a version that is no longer current. */
export class VersionConflictError extends ConflictError {
  override readonly code = 'E_VERSION_CONFLICT';

  constructor(productId: number, expected: number, current: number) {
    super(`Product ${productId} is at version ${current}, not ${expected}: read it again and retry.`);
  }
}

/**
 * 503: the writes accepted but not yet in PostgreSQL could not be read from Redis in time. PostgreSQL
 * alone might answer a version older than one already acknowledged (and the cache would keep it), so
 * the read is refused instead; the client retries.
 */
export class PendingWritesUnreadableError extends ApiError {
  readonly status = 503;
  readonly code = 'E_PENDING_WRITES_UNREADABLE';
  readonly title = 'Service unavailable';

  constructor(cause: unknown) {
    super('Writes not yet in the database could not be read in time, so the answer could be outdated. Try again shortly.', {
      cause,
      headers: { 'retry-after': '1' },
    });
  }
}
