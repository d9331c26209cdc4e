import { z } from 'zod';
import { SWITCH_STATES, type SheddingStatus, type SwitchInfo } from '../degradation';
import { describes } from '../http';
import type { DeadLetterView } from '../jobs';
import { CRITICALITIES, type OverloadSnapshot } from '../overload';
import { CALL_OUTCOMES, type PolicyStats, type PolicySummary } from '../resilience';
import type { ScheduleView } from '../schedules';
import type { SwitchList } from './switch-admin.service';

// Response schemas of the admin API: what the OpenAPI document publishes; `describes` keeps each
// one true to the type its controller returns.

const count = z.int().min(0);
const switchState = z.enum(SWITCH_STATES);

export const switchInfoSchema = describes<SwitchInfo>()(
  z
    .strictObject({
      feature: z.string(),
      state: switchState.describe('The state routes act on now.'),
      source: z.enum(['override', 'file', 'shedding', 'env', 'default']),
      essential: z.boolean(),
      hasFallback: z.boolean(),
      sources: z.strictObject({ override: switchState.optional(), file: switchState.optional(), env: switchState.optional(), default: switchState }),
      shed: z.boolean(),
      changes: count,
      automaticChanges: count,
      fallbacksServed: count,
      rejected: count,
    })
    .meta({ id: 'SwitchInfo' }),
);

const sheddingSchema = describes<SheddingStatus>()(
  z.strictObject({
    enabled: z.boolean(),
    active: z.boolean(),
    reason: z.string().optional(),
    activations: count,
    deactivations: count,
    eventLoopP99Ms: z.number(),
    inFlight: count,
    inFlightPeak: count,
  }),
);

export const switchListSchema = describes<SwitchList>()(
  z.strictObject({ switches: z.array(switchInfoSchema), shedding: sheddingSchema }).meta({ id: 'SwitchList' }),
);

const byOutcome = z.strictObject(Object.fromEntries(CALL_OUTCOMES.map((outcome) => [outcome, count])) as Record<(typeof CALL_OUTCOMES)[number], typeof count>);

const policyStatsShape = {
  name: z.string(),
  state: z.enum(['closed', 'open', 'half-open']),
  forced: z.enum(['open', 'closed']).nullable(),
  calls: byOutcome,
  retries: count,
  budgetExhausted: count,
  slowCalls: count,
  opened: count,
  bulkhead: z.strictObject({ active: count, queued: count }),
  window: z.strictObject({ calls: count, failures: count, slow: count }),
};

export const policyStatsSchema = describes<PolicyStats>()(z.strictObject(policyStatsShape).meta({ id: 'PolicyStats' }));

export const policySummarySchema = describes<PolicySummary>()(
  z
    .strictObject({
      ...policyStatsShape,
      options: z
        .strictObject({
          timeoutMs: z.number(),
          breaker: z.strictObject({
            enabled: z.boolean(),
            windowMs: z.number(),
            minimumCalls: z.number(),
            failureRateThreshold: z.number(),
            slowCallMs: z.number(),
            slowCallRateThreshold: z.number(),
            openMs: z.number(),
            halfOpenProbes: z.number(),
            consecutiveFailures: z.number(),
          }),
          bulkhead: z.strictObject({ maxConcurrent: z.number(), maxQueue: z.number() }),
          retry: z.strictObject({
            maxAttempts: z.number(),
            baseDelayMs: z.number(),
            maxDelayMs: z.number(),
            budgetRatio: z.number(),
            budgetWindowMs: z.number(),
            budgetMinRetries: z.number(),
          }),
        })
        .describe("The policy's resolved options (see docs/resilience.md)."),
    })
    .meta({ id: 'PolicySummary' }),
);

export const hotKeysSchema = z.strictObject({ keys: z.array(z.strictObject({ key: z.string(), estimatedHits: count })) }).meta({ id: 'HotKeys' });

export const deadLetterCountsSchema = z.record(z.string(), count).describe('Dead letters by queue (write-behind entities and job queues).');

export const deadLetterSchema = describes<DeadLetterView>()(
  z
    // Each kind of queue adds its own members (a write-behind entity: id, kind, version; a job queue: queue, data).
    .looseObject({
      jobId: z.string(),
      reason: z.strictObject({ code: z.string(), message: z.string() }).describe('The last attempt’s error (for operators).'),
      attempts: count,
      enqueuedAt: z.string(),
      failedAt: z.string().nullable(),
    })
    .meta({ id: 'DeadLetter' }),
);

const byClass = z.strictObject(Object.fromEntries(CRITICALITIES.map((level) => [level, count])) as Record<(typeof CRITICALITIES)[number], typeof count>);

export const overloadSnapshotSchema = describes<OverloadSnapshot>()(
  z
    .strictObject({
      enabled: z.boolean(),
      limit: z.int().min(1),
      pinned: z.boolean(),
      inFlight: count,
      queued: count,
      admitted: byClass,
      rejected: byClass,
      queueTimeouts: count,
      standingQueue: z.boolean().describe('The queue is closed because it stood: requests over the limit are refused at once.'),
      rejecting: z.boolean(),
      noLoadLatencyMs: z.number().nullable(),
      probing: z.boolean(),
    })
    .meta({ id: 'OverloadSnapshot' }),
);

const scheduleRunSchema = z.strictObject({
  startedAt: z.iso.datetime(),
  durationMs: count,
  outcome: z.enum(['ok', 'failed']),
  runner: z.string().describe('The process that ran it: hostname:pid.'),
});

export const scheduleViewSchema = describes<ScheduleView>()(
  z
    .strictObject({
      name: z.string(),
      scope: z.enum(['every-pod', 'fleet-once']),
      everyMs: z.int().min(1).nullable(),
      cron: z.string().nullable(),
      active: z.boolean().describe('Scheduled in this process.'),
      paused: z.boolean().describe('Paused on every pod.'),
      running: z.boolean(),
      lastRun: scheduleRunSchema.nullable().describe("The fleet's last run for a fleet-once schedule, this process's for an every-pod one."),
      nextRunAt: z.iso.datetime().nullable().describe("This process's next tick."),
      runs: z.strictObject({ ok: count, failed: count }),
      skipped: z.strictObject({ overlap: count, lease: count, paused: count, unavailable: count }),
    })
    .meta({ id: 'ScheduleView' }),
);
