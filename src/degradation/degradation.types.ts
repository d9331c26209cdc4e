import type { FastifyRequest } from 'fastify';

/** The states a feature switch can be in, in the order an operator thinks of them. */
export const SWITCH_STATES = ['on', 'off', 'fallback'] as const;

/**
 * A feature switch's state:
 * - `on`: the feature works normally;
 * - `fallback`: the feature's routes answer their cheaper fallback instead of calling the handler;
 * - `off`: the feature is switched off; its routes answer the fallback too (told the state is
 *   `off`, so it may answer less), or 503 `E_FEATURE_DISABLED` when they have none.
 */
export type SwitchState = (typeof SWITCH_STATES)[number];

/**
 * Where a switch's effective state comes from, highest precedence first:
 * `override` (admin API, Redis), `file` (DEGRADATION_SWITCHES_FILE), `shedding` (automatic, only
 * non-essential features, only over `env`/`default`), `env` (DEGRADATION_SWITCHES), `default`
 * (the feature's declaration).
 */
export type SwitchSource = 'override' | 'file' | 'shedding' | 'env' | 'default';

/** What a route's fallback is told when it is asked to answer instead of the handler. */
export interface FallbackContext {
  readonly feature: string;
  /** `off` or `fallback`. */
  readonly state: Exclude<SwitchState, 'on'>;
  readonly request: FastifyRequest;
}

/** A fallback as a plain function; its result is the response body (a promise is awaited). */
export type FallbackFn = (context: FallbackContext) => unknown;

/**
 * A fallback as an injectable class (resolved from the container, so it can use `CacheService`
 * and the like): `{ fallback: SameCategoryFallback }` where the class is a provider of the feature.
 */
export interface DegradationFallback {
  answer(context: FallbackContext): unknown;
}

/** A fallback given to `forFeature` or `@Degradable`: a function, or a provider class. */
export type Fallback = FallbackFn | (abstract new (...args: never[]) => DegradationFallback);

/**
 * How a feature declares its switch: `DegradationModule.forFeature({ feature: 'recommendations', essential: false, fallback })`.
 */
export interface FeatureSwitchOptions {
  /** Switch name: 1-64 of `a-z 0-9 - _ .`, starting with a letter. */
  readonly feature: string;
  /** Essential features are never shed under load. @default true */
  readonly essential?: boolean;
  /** State when no source says otherwise. @default 'on' */
  readonly defaultState?: SwitchState;
  /** What the feature's `@Degradable` routes answer when it is off or in fallback (a route's own fallback wins). @default none: 503 */
  readonly fallback?: Fallback;
}

/** A declared feature, normalised. */
export interface FeatureDeclaration {
  readonly feature: string;
  readonly essential: boolean;
  readonly defaultState: SwitchState;
  readonly fallback?: Fallback;
}

/** One switch as operators and the metrics module see it. */
export interface SwitchInfo {
  readonly feature: string;
  /** The state routes act on now. */
  readonly state: SwitchState;
  readonly source: SwitchSource;
  readonly essential: boolean;
  readonly hasFallback: boolean;
  /** What each source says (absent: it says nothing). */
  readonly sources: {
    readonly override?: SwitchState;
    readonly file?: SwitchState;
    readonly env?: SwitchState;
    readonly default: SwitchState;
  };
  /** True while load shedding holds this (non-essential) feature in fallback. */
  readonly shed: boolean;
  /** Effective state changes since start, and how many of them load shedding made. */
  readonly changes: number;
  readonly automaticChanges: number;
  /** Requests answered by the fallback, and with 503 for lack of one. */
  readonly fallbacksServed: number;
  readonly rejected: number;
}

/** The module-wide counters, for metrics. */
export interface DegradationStats {
  readonly switches: readonly SwitchInfo[];
  readonly shedding: SheddingStatus;
}

/** Load shedding as operators see it. */
export interface SheddingStatus {
  readonly enabled: boolean;
  readonly active: boolean;
  /** Why it is active (`eventLoopP99Ms 312 > 200`, …); undefined when inactive. */
  readonly reason?: string;
  /** Times shedding started and stopped since start. */
  readonly activations: number;
  readonly deactivations: number;
  /** The last window's measurements. */
  readonly eventLoopP99Ms: number;
  readonly inFlight: number;
  readonly inFlightPeak: number;
}
