import { Pool } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

/** The database the bench servers use (the app's default `DATABASE_URL`). */
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/bulwark';

let pool: Pool | undefined;

/**
 * Row versions held in `<schema>.products`: the sum of every row's version.
 * Each write that reaches PostgreSQL raises it by one (a save), or by the
 * number of acknowledged writes it carries (a write-behind upsert of a row
 * written several times while its job waited), so its growth is the number
 * of acknowledged writes that have landed.
 */
export async function rowVersions(schema: string): Promise<number> {
  pool ??= new Pool({ connectionString: DATABASE_URL, max: 1 });
  const { rows } = await pool.query<{ n: string }>(`SELECT coalesce(sum(version), 0) AS n FROM "${schema}".products`);
  return Number(rows[0].n);
}

/**
 * After a measurement: waits until the row versions of `schema` stop growing
 * for 500 ms (the write-behind queue has drained; at once for a synchronous
 * server),
 * bounded by `maxWaitMs`. Resolves with the versions and the time until the
 * last growth (the stable 500 ms are not counted).
 */
export async function settledVersions(schema: string, maxWaitMs = 10_000): Promise<{ versions: number; waitedMs: number }> {
  const startedAt = Date.now();
  // Stable for 500 ms: well above the flush interval, so a queue still draining is not taken for a settled one.
  let last = await rowVersions(schema);
  let stableSince = Date.now();
  for (;;) {
    await sleep(100);
    const now = await rowVersions(schema);
    if (now !== last) stableSince = Date.now();
    last = now;
    if (Date.now() - stableSince >= 500 || Date.now() - startedAt > maxWaitMs) return { versions: now, waitedMs: Math.max(0, stableSince - startedAt) };
  }
}

/** p99 flush lag the app reports on `/health/ready` (its last 1000 rows); NaN when absent. */
export async function flushLagP99Ms(baseUrl: string): Promise<number> {
  try {
    const res = await fetch(`${baseUrl}/health/ready`);
    const body = (await res.json()) as { details?: { writeBehind?: { products?: { flushLagMs?: { p99?: number } } } } };
    return body.details?.writeBehind?.products?.flushLagMs?.p99 ?? NaN;
  } catch {
    return NaN;
  }
}

export async function closeWriteStats(): Promise<void> {
  await pool?.end();
  pool = undefined;
}
