import type Redis from 'ioredis';
import { bullPrefix, slotKey } from './hash-tag';

/** What {@link migrateKeyNames} did. */
export interface KeyMigrationReport {
  /** Keys renamed to their new names. */
  readonly renamed: number;
  /** Old keys whose new name already existed: left as they were (see the docs: start no app before the migration ends). */
  readonly conflicts: readonly string[];
}

/**
 * The new name of a key written under the names of the versions before hash tags (everything
 * under `keyPrefix`), or undefined for a key that needs no move:
 * - the write state, `<p>wb:<entity>:<part>` → `<p>wb:{<entity>}:<part>`;
 * - BullMQ's keys, `<p>bull:<queue>:<rest>` → `<p>bull:{<queue>}:<queue>:<rest>` (BullMQ names
 *   every key of a queue from its prefix, queue name and job id, and keeps no key name inside
 *   them, flows and repeatable jobs aside, which the kit does not use);
 * - the switch overrides, `<p>degradation:overrides` → `<p>{degradation}:overrides`.
 * L2 entries and generations are not moved: a cache that starts cold loses nothing. Schedules and
 * leases kept their names.
 */
export function newKeyName(keyPrefix: string, key: string): string | undefined {
  if (!key.startsWith(keyPrefix)) return undefined;
  const rest = key.slice(keyPrefix.length);
  const writeState = /^wb:([^{}:]+):(.+)$/.exec(rest);
  if (writeState) return `${slotKey(`${keyPrefix}wb:`, writeState[1])}:${writeState[2]}`;
  const bull = /^bull:([^{}:]+):(.+)$/.exec(rest);
  if (bull) return `${bullPrefix(keyPrefix, bull[1])}:${bull[1]}:${bull[2]}`;
  if (rest === 'degradation:overrides') return `${keyPrefix}{degradation}:overrides`;
  return undefined;
}

/**
 * Moves the queue role's keys from the names of the versions before hash tags to the new ones
 * (see {@link newKeyName}), on a standalone or Sentinel primary, with every app process stopped:
 * an old process would go on writing the old names, a new one would start from empty ones (and,
 * for the write state, reload versions from PostgreSQL that the queued writes are ahead of). Each
 * key moves with RENAMENX, so a key the new version already wrote is never overwritten (reported
 * instead). Idempotent: a second run finds nothing to move.
 */
export async function migrateKeyNames(redis: Redis, keyPrefix: string, { batch = 500 }: { batch?: number } = {}): Promise<KeyMigrationReport> {
  let renamed = 0;
  const conflicts: string[] = [];
  for (const pattern of [`${keyPrefix}wb:*`, `${keyPrefix}bull:*`, `${keyPrefix}degradation:overrides`]) {
    // Collected first: renaming while SCAN walks the keyspace may return a key twice or skip one.
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', batch);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    for (const key of new Set(keys)) {
      const target = newKeyName(keyPrefix, key);
      if (target === undefined) continue;
      if ((await redis.renamenx(key, target)) === 1) renamed++;
      else conflicts.push(key);
    }
  }
  return { renamed, conflicts };
}
