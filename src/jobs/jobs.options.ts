import type { JobsConfig } from './jobs.config';
import type { JobQueueOptions, ResolvedJobQueueOptions } from './jobs.types';

/** The feature's options over the kit's (`JOBS_*`), checked. */
export function resolveQueueOptions(config: JobsConfig, options: JobQueueOptions): ResolvedJobQueueOptions {
  const baseMs = options.backoff?.baseMs ?? config.backoff.baseMs;
  const resolved: ResolvedJobQueueOptions = {
    name: options.name,
    attempts: options.attempts ?? config.attempts,
    backoff: { baseMs, capMs: Math.max(baseMs, options.backoff?.capMs ?? config.backoff.capMs) },
    concurrency: options.concurrency ?? config.concurrency,
    retryBudgetRatio: options.retryBudgetRatio ?? config.retryBudgetRatio,
    lockDurationMs: config.lockDurationMs,
    isUnrecoverable: options.isUnrecoverable ?? (() => false),
  };
  const problems = [
    !/^[A-Za-z0-9_.-]{1,64}$/.test(resolved.name) && 'name must be 1-64 characters of A-Z a-z 0-9 _ . -',
    !(Number.isInteger(resolved.attempts) && resolved.attempts >= 1) && `attempts must be an integer ≥ 1 (got ${resolved.attempts})`,
    !(baseMs >= 1) && `backoff.baseMs must be ≥ 1 (got ${baseMs})`,
    !(Number.isInteger(resolved.concurrency) && resolved.concurrency >= 1) && `concurrency must be an integer ≥ 1 (got ${resolved.concurrency})`,
    !(resolved.retryBudgetRatio >= 0 && resolved.retryBudgetRatio <= 1) && `retryBudgetRatio must be between 0 and 1 (got ${resolved.retryBudgetRatio})`,
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) throw new Error(`JobsModule.forFeature({ name: '${options.name}' }): ${problems.join('; ')}`);
  return resolved;
}
