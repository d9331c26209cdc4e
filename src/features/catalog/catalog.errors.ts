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

/** 424 (per item of an atomic `POST /products/bulk`): the item was fine, but another item was refused, so nothing was written. */
export class BulkItemAbortedError extends ApiError {
  readonly status = 424;
  readonly code = 'E_BULK_ABORTED';
  readonly title = 'Not applied';

  constructor() {
    super('Another item of this atomic request was refused, so this one was not written either.');
  }
}

/**
 * 409: an atomic `POST /products/bulk` with refused items: nothing was written. `errors` lists each
 * refused item (`pointer` `#/items/<index>`, its `code` and detail).
 */
export class BulkRefusedError extends ConflictError {
  override readonly code = 'E_BULK_REFUSED';

  constructor(refused: ReadonlyArray<{ readonly index: number; readonly code: string; readonly detail: string }>) {
    super(`${refused.length} item(s) of this atomic request were refused, so nothing was written.`, {
      errors: refused.map(({ index, code, detail }) => ({ pointer: `#/items/${index}`, code, detail })),
    });
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
