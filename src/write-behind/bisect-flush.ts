import { classifyFlushError } from './flush-errors';

/** Result of {@link bisectFlush}: the items that failed, with their error, and the flush calls made. */
export interface BisectResult<T> {
  readonly failed: Map<T, unknown>;
  readonly calls: number;
}

/**
 * Flushes `items` in one call; when that fails on a row-level error (see
 * `classifyFlushError`), splits the batch in halves and flushes each, down
 * to single items, so that one bad row fails alone and its neighbours land
 * (log2(n) extra calls per bad row). Any other error fails the whole batch
 * at once: splitting would only multiply calls against a database that is down.
 */
export async function bisectFlush<T>(items: readonly T[], flush: (items: readonly T[]) => Promise<void>): Promise<BisectResult<T>> {
  const failed = new Map<T, unknown>();
  let calls = 0;
  const run = async (part: readonly T[]): Promise<void> => {
    if (part.length === 0) return;
    calls++;
    try {
      await flush(part);
    } catch (error) {
      const kind = classifyFlushError(error);
      if (part.length > 1 && (kind === 'row-fatal' || kind === 'row-retryable')) {
        const middle = Math.ceil(part.length / 2);
        await run(part.slice(0, middle));
        await run(part.slice(middle));
        return;
      }
      for (const item of part) failed.set(item, error);
    }
  };
  await run(items);
  return { failed, calls };
}
