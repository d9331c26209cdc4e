import { Client } from 'pg';

/**
 * Creates the database named in `url` when it does not exist, connecting to the
 * server's `postgres` maintenance database. Returns true when it created it.
 * A server that refuses (no CREATEDB right) is not an error here: the
 * following connection attempt reports the real problem.
 */
export async function ensureDatabase(url: string, connectTimeoutMs: number): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name || name === 'postgres') return false;
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: connectTimeoutMs });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (error) {
      // 42P04: created meanwhile by another instance; 42501: not allowed.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '42501') return false;
      throw error;
    }
  } finally {
    await client.end();
  }
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
