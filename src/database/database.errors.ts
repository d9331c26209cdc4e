import { DependencyUnavailableError } from '../http';

/** 503: PostgreSQL is not reachable (not connected yet, down, or too slow). */
export class DatabaseUnavailableError extends DependencyUnavailableError {
  constructor(cause?: unknown) {
    super('The database is unavailable. Try again shortly.', { cause, retryAfterSeconds: 2 });
  }
}

/**
 * SQLSTATE classes and Node error codes that mean "the database could not be
 * reached or gave up on the statement", as opposed to "the statement was wrong".
 * 08: connection exception; 53: insufficient resources; 57P0x: shutdown/
 * cannot connect now; 57014: statement timeout (query_canceled). A
 * {@link DatabaseUnavailableError} is one too, also without a cause (thrown
 * before the first connection and the migrations are done).
 */
export function isUnavailableError(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || code.startsWith('53') || code.startsWith('57P') || code === '57014') return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}
