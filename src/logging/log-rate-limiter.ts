/** Levels a limit can apply to; `fatal` is never limited. */
export type LimitedLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** A token bucket: `burst` lines at once, then `ratePerS` lines per second. */
export interface LevelLimit {
  readonly ratePerS: number;
  readonly burst: number;
}

/** Options of {@link LogRateLimiter}. */
export interface LogRateLimiterOptions {
  /** Limit per level; a level without one is never limited. */
  readonly limits: Partial<Record<LimitedLevel, LevelLimit>>;
  /** Most (level, context, template) buckets; further templates share one bucket per level. @default 1000 */
  readonly maxTemplates?: number;
  /** Contexts (exact) or message prefixes never limited, added to {@link BUILT_IN_ALLOW}. @default [] */
  readonly allow?: readonly string[];
  /** Clock in milliseconds, injectable for tests. @default performance.now */
  readonly now?: () => number;
}

/** What one template's lines lost since the last summary. */
export interface SuppressedLines {
  readonly level: LimitedLevel;
  readonly context: string;
  readonly template: string;
  readonly suppressed: number;
}

/**
 * Contexts never limited: start-up and shutdown (Nest's own included) and
 * the degradation switches (every change of a switch, its file, its
 * overrides, and each start and stop of load shedding), which operators must
 * always see. `Degradation` (fallbacks served) is not on it: it throttles
 * itself and is limited like any other.
 */
export const BUILT_IN_ALLOW: readonly string[] = [
  'Bootstrap',
  'NestFactory',
  'NestApplication',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'Startup',
  'Shutdown',
  'FeatureSwitches',
  'SwitchOverrides',
  'SwitchFile',
  'LoadShedding',
];

/** The template of lines whose own bucket could not be created (more than `maxTemplates`). */
export const OTHER_TEMPLATES = '(other templates)';

interface Bucket {
  readonly level: LimitedLevel;
  readonly context: string;
  readonly template: string;
  readonly unlimited: boolean;
  tokens: number;
  updatedMs: number;
  suppressed: number;
}

/**
 * Token buckets per level, logger context and message template (the message
 * before interpolation). {@link LogRateLimiter.admit} says whether one line
 * may be written; refused lines are counted per bucket and handed out by
 * {@link LogRateLimiter.takeSuppressed}, one entry per template, with the
 * exact count since the last call. Memory is bounded: at most `maxTemplates`
 * buckets, then one shared bucket per level ({@link OTHER_TEMPLATES}).
 */
export class LogRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly overflow = new Map<LimitedLevel, Bucket>();
  private readonly allow: readonly string[];
  private readonly maxTemplates: number;
  private readonly now: () => number;
  private suppressedTotal = 0;
  private readonly suppressedByLevel: Record<LimitedLevel, number> = { error: 0, warn: 0, info: 0, debug: 0, trace: 0 };

  constructor(private readonly options: LogRateLimiterOptions) {
    this.allow = [...BUILT_IN_ALLOW, ...(options.allow ?? [])];
    this.maxTemplates = options.maxTemplates ?? 1000;
    this.now = options.now ?? (() => performance.now());
  }

  /** True when this line may be written; false when it is dropped (and counted). */
  admit(level: LimitedLevel, context: string, template: string): boolean {
    const limit = this.options.limits[level];
    if (!limit) return true;
    const key = `${level}\u0000${context}\u0000${template}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const unlimited = this.isAllowed(context, template);
      if (this.buckets.size < this.maxTemplates) {
        bucket = this.newBucket(level, context, template, unlimited, limit);
        this.buckets.set(key, bucket);
      } else if (unlimited) {
        return true;
      } else {
        bucket = this.overflow.get(level);
        if (!bucket) this.overflow.set(level, (bucket = this.newBucket(level, '', OTHER_TEMPLATES, false, limit)));
      }
    }
    if (bucket.unlimited) return true;
    const now = this.now();
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.updatedMs) * limit.ratePerS) / 1000);
    bucket.updatedMs = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    bucket.suppressed++;
    this.suppressedTotal++;
    this.suppressedByLevel[level]++;
    return false;
  }

  /** Templates that lost lines since the last call, with how many; their counts restart at 0. */
  takeSuppressed(): SuppressedLines[] {
    const out: SuppressedLines[] = [];
    for (const bucket of [...this.buckets.values(), ...this.overflow.values()]) {
      if (bucket.suppressed === 0) continue;
      out.push({ level: bucket.level, context: bucket.context, template: bucket.template, suppressed: bucket.suppressed });
      bucket.suppressed = 0;
    }
    return out;
  }

  /** Lines dropped since start, in all and per level; templates tracked. */
  stats(): { suppressedTotal: number; suppressedByLevel: Readonly<Record<LimitedLevel, number>>; templates: number } {
    return { suppressedTotal: this.suppressedTotal, suppressedByLevel: { ...this.suppressedByLevel }, templates: this.buckets.size };
  }

  private isAllowed(context: string, template: string): boolean {
    return this.allow.some((entry) => entry === context || template.startsWith(entry));
  }

  private newBucket(level: LimitedLevel, context: string, template: string, unlimited: boolean, limit: LevelLimit): Bucket {
    return { level, context, template, unlimited, tokens: limit.burst, updatedMs: this.now(), suppressed: 0 };
  }
}
