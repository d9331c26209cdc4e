import type { WriteBehindConfig } from './write-behind.config';
import type { WriteBehindQueueOptions } from './write-behind.types';

/**
 * One queue's settings: the module-wide `WRITE_BEHIND_*` values with the
 * feature's `forFeature({ queue })` overrides on top (the backoff cap never
 * below its base, as for the module-wide values).
 */
export function withQueueOptions(config: WriteBehindConfig, overrides: WriteBehindQueueOptions = {}): WriteBehindConfig {
  const merged = { ...config, ...overrides };
  return { ...merged, backoffCapMs: Math.max(merged.backoffCapMs, merged.backoffBaseMs) };
}
