import { z } from 'zod';
import { defineConfig, type ConfigOf, intVar, urlVar } from '../../config';
import type { PolicyOptions } from '../../resilience';

/**
 * The recommendations feature: where the recommender is, and the numbers of
 * the `recommender` resilience policy around every call to it (the feature
 * layer over the resilience defaults).
 */
export const recommendationsConfig = defineConfig(
  'recommendations',
  z.object({
    RECOMMENDER_URL: urlVar('http://127.0.0.1:3100', ['http:', 'https:']).describe(
      'Base URL of the recommender service; the feature calls GET <url>/recommendations/<id>?limit=<n>.',
    ),
    RECOMMENDATIONS_LIMIT: intVar(10, 1, 100).describe('Most products one GET /products/:id/recommendations returns.'),
    RECOMMENDER_TIMEOUT_MS: intVar(300, 1).describe('A recommender call taking longer is abandoned (its request aborted) and the fallback is served.'),
    RECOMMENDER_BREAKER_WINDOW_MS: intVar(10_000, 100).describe('Sliding window over which the breaker computes failure and slow-call rates.'),
    RECOMMENDER_BREAKER_MIN_CALLS: intVar(10, 1).describe('The breaker does not open on fewer calls than this in its window.'),
    RECOMMENDER_BREAKER_FAILURE_PERCENT: intVar(50, 1, 100).describe(
      'The breaker opens when this share (%) of the calls in its window failed (errors and timeouts).',
    ),
    RECOMMENDER_BREAKER_SLOW_CALL_MS: intVar(250, 1).describe('A recommender call taking at least this long counts as slow.'),
    RECOMMENDER_BREAKER_SLOW_PERCENT: intVar(80, 1, 100).describe('The breaker opens when this share (%) of the calls in its window were slow.'),
    RECOMMENDER_BREAKER_OPEN_MS: intVar(5_000, 10).describe('How long the breaker stays open (fallback served at once) before probing the recommender.'),
    RECOMMENDER_BREAKER_HALF_OPEN_PROBES: intVar(3, 1, 1000).describe(
      'Probe calls let through half-open; all must succeed to close the breaker, one failure reopens it.',
    ),
    RECOMMENDER_BULKHEAD_MAX_CONCURRENT: intVar(32, 0).describe('Recommender calls in flight at once per process (0 = unbounded).'),
    RECOMMENDER_BULKHEAD_MAX_QUEUE: intVar(32, 0).describe('Calls waiting for a bulkhead slot; beyond that the fallback is served at once.'),
    RECOMMENDER_RETRY_MAX_ATTEMPTS: intVar(2, 1, 10).describe(
      'Attempts per request, the first included; only connection errors and 5xx/429 answers are retried.',
    ),
    RECOMMENDER_RETRY_BASE_DELAY_MS: intVar(25, 0).describe('Ceiling of the first retry delay (full jitter); doubles per retry.'),
    RECOMMENDER_RETRY_MAX_DELAY_MS: intVar(200, 0).describe('Cap of the retry delay ceiling.'),
    RECOMMENDER_RETRY_BUDGET_PERCENT: intVar(10, 0, 100).describe('Retries may not exceed this share (%) of the calls of the last 10 s.'),
  }),
  (env) => ({
    url: env.RECOMMENDER_URL.replace(/\/+$/, ''),
    limit: env.RECOMMENDATIONS_LIMIT,
    policy: {
      timeoutMs: env.RECOMMENDER_TIMEOUT_MS,
      breaker: {
        windowMs: env.RECOMMENDER_BREAKER_WINDOW_MS,
        minimumCalls: env.RECOMMENDER_BREAKER_MIN_CALLS,
        failureRateThreshold: env.RECOMMENDER_BREAKER_FAILURE_PERCENT / 100,
        slowCallMs: env.RECOMMENDER_BREAKER_SLOW_CALL_MS,
        slowCallRateThreshold: env.RECOMMENDER_BREAKER_SLOW_PERCENT / 100,
        openMs: env.RECOMMENDER_BREAKER_OPEN_MS,
        halfOpenProbes: env.RECOMMENDER_BREAKER_HALF_OPEN_PROBES,
      },
      bulkhead: { maxConcurrent: env.RECOMMENDER_BULKHEAD_MAX_CONCURRENT, maxQueue: env.RECOMMENDER_BULKHEAD_MAX_QUEUE },
      retry: {
        maxAttempts: env.RECOMMENDER_RETRY_MAX_ATTEMPTS,
        baseDelayMs: env.RECOMMENDER_RETRY_BASE_DELAY_MS,
        maxDelayMs: env.RECOMMENDER_RETRY_MAX_DELAY_MS,
        budgetRatio: env.RECOMMENDER_RETRY_BUDGET_PERCENT / 100,
        budgetWindowMs: 10_000,
      },
    } satisfies PolicyOptions,
  }),
);
export type RecommendationsConfig = ConfigOf<typeof recommendationsConfig>;
