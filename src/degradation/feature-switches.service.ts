import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig } from '../config';
import { degradationConfig, type DegradationConfig } from './degradation.config';
import { featureNameSchema, switchStateSchema } from './degradation.schemas';
import type { DegradationStats, FeatureDeclaration, FeatureSwitchOptions, SheddingStatus, SwitchInfo, SwitchSource, SwitchState } from './degradation.types';

interface SwitchRecord {
  readonly declaration: FeatureDeclaration;
  state: SwitchState;
  source: SwitchSource;
  changes: number;
  automaticChanges: number;
  fallbacksServed: number;
  rejected: number;
}

const SHEDDING_OFF: SheddingStatus = {
  enabled: false,
  active: false,
  activations: 0,
  deactivations: 0,
  eventLoopP99Ms: 0,
  inFlight: 0,
  inFlightPeak: 0,
};

/**
 * The feature switches of this process: one effective state per declared feature, computed from
 * its sources (see {@link SwitchSource} for the precedence) and recomputed whenever one of them
 * changes. Every effective change is logged (one info line: feature, from, to, source) and counted.
 *
 * {@link state} is the hot-path read: a Map lookup, synchronous, allocation-free, safe to call
 * from a Fastify hook on every request.
 */
@Injectable()
export class FeatureSwitches {
  private readonly logger = new Logger('FeatureSwitches');
  /** Feature → effective state: the only structure the hot path touches. */
  private readonly effective = new Map<string, SwitchState>();
  private readonly records = new Map<string, SwitchRecord>();
  private readonly overrides = new Map<string, SwitchState>();
  private file: ReadonlyMap<string, SwitchState> = new Map();
  private readonly env: ReadonlyMap<string, SwitchState>;
  private shedding = false;
  private sheddingStatus: () => SheddingStatus = () => SHEDDING_OFF;

  constructor(@InjectConfig(degradationConfig) config: Pick<DegradationConfig, 'switches'>) {
    this.env = new Map(Object.entries(config.switches));
  }

  /**
   * The effective state of `feature`; `on` for a feature nobody declared (the kit cannot switch
   * off what it does not know). O(1), no promise, no allocation.
   */
  state(feature: string): SwitchState {
    return this.effective.get(feature) ?? 'on';
  }

  /** True when a feature module declared `feature`. */
  has(feature: string): boolean {
    return this.records.has(feature);
  }

  /** The declaration of `feature` (for its fallback), or undefined. */
  declaration(feature: string): FeatureDeclaration | undefined {
    return this.records.get(feature)?.declaration;
  }

  /**
   * Registers a feature's switch; `DegradationModule.forFeature()` calls it. Throws on a bad name
   * or a feature declared twice (two modules fighting over one switch is a wiring bug).
   */
  declare(options: FeatureSwitchOptions): FeatureDeclaration {
    const name = featureNameSchema.safeParse(options.feature);
    if (!name.success) throw new Error(`Degradation switch "${options.feature}": the name ${name.error.issues[0].message}.`);
    const defaultState = switchStateSchema.safeParse(options.defaultState ?? 'on');
    if (!defaultState.success) throw new Error(`Degradation switch "${options.feature}": defaultState ${defaultState.error.issues[0].message}.`);
    if (this.records.has(options.feature))
      throw new Error(`Degradation switch "${options.feature}" is declared twice: declare each feature once, in its own module.`);
    const declaration: FeatureDeclaration = {
      feature: options.feature,
      essential: options.essential ?? true,
      defaultState: defaultState.data,
      ...(options.fallback === undefined ? {} : { fallback: options.fallback }),
    };
    const [state, source] = this.resolve(declaration);
    this.records.set(declaration.feature, { declaration, state, source, changes: 0, automaticChanges: 0, fallbacksServed: 0, rejected: 0 });
    this.effective.set(declaration.feature, state);
    if (state !== 'on') this.logger.log({ feature: declaration.feature, state, source }, 'switch declared');
    return declaration;
  }

  /** Sets (or, with undefined, clears) the runtime override of `feature`, as the override store received it. */
  applyOverride(feature: string, state: SwitchState | undefined): void {
    if (state === undefined) this.overrides.delete(feature);
    else this.overrides.set(feature, state);
    this.recompute(feature, false);
  }

  /** Replaces every runtime override (after loading them all from the store). */
  replaceOverrides(overrides: ReadonlyMap<string, SwitchState>): void {
    const touched = new Set([...this.overrides.keys(), ...overrides.keys()]);
    this.overrides.clear();
    for (const [feature, state] of overrides) this.overrides.set(feature, state);
    for (const feature of touched) this.recompute(feature, false);
  }

  /** Replaces the file source (a good file was loaded). */
  replaceFile(file: ReadonlyMap<string, SwitchState>): void {
    const touched = new Set([...this.file.keys(), ...file.keys()]);
    this.file = new Map(file);
    for (const feature of touched) this.recompute(feature, false);
  }

  /** Starts or stops load shedding: non-essential features without a manual state go to fallback. */
  setShedding(active: boolean): void {
    if (this.shedding === active) return;
    this.shedding = active;
    for (const feature of this.records.keys()) this.recompute(feature, true);
  }

  /** Where shedding's measurements come from (the load monitor registers itself). */
  useSheddingStatus(status: () => SheddingStatus): void {
    this.sheddingStatus = status;
  }

  /** Counts a request answered by `feature`'s fallback. */
  countFallback(feature: string): void {
    const record = this.records.get(feature);
    if (record) record.fallbacksServed += 1;
  }

  /** Counts a request answered 503 because `feature` is off and has no fallback. */
  countRejected(feature: string): void {
    const record = this.records.get(feature);
    if (record) record.rejected += 1;
  }

  /** One declared switch, or undefined. */
  info(feature: string): SwitchInfo | undefined {
    const record = this.records.get(feature);
    return record && this.toInfo(record);
  }

  /** Every declared switch, by name. */
  list(): SwitchInfo[] {
    return [...this.records.values()].map((record) => this.toInfo(record)).sort((a, b) => a.feature.localeCompare(b.feature));
  }

  /** Switches and shedding, for the metrics module. */
  stats(): DegradationStats {
    return { switches: this.list(), shedding: this.sheddingStatus() };
  }

  private recompute(feature: string, automatic: boolean): void {
    const record = this.records.get(feature);
    if (!record) return;
    const [state, source] = this.resolve(record.declaration);
    const from = record.state;
    record.source = source;
    if (state === from) return;
    record.state = state;
    record.changes += 1;
    if (automatic) record.automaticChanges += 1;
    this.effective.set(feature, state);
    this.logger.log({ feature, from, to: state, source, automatic }, `switch ${feature}: ${from} → ${state} (${source})`);
  }

  /** The precedence rule: override, file, shedding (only over an `on` from env or default), env, default. */
  private resolve(declaration: FeatureDeclaration): [SwitchState, SwitchSource] {
    const { feature } = declaration;
    const override = this.overrides.get(feature);
    if (override !== undefined) return [override, 'override'];
    const file = this.file.get(feature);
    if (file !== undefined) return [file, 'file'];
    const env = this.env.get(feature);
    const base = env ?? declaration.defaultState;
    if (this.shedding && !declaration.essential && base === 'on') return ['fallback', 'shedding'];
    return [base, env === undefined ? 'default' : 'env'];
  }

  private toInfo(record: SwitchRecord): SwitchInfo {
    const { feature, essential, defaultState, fallback } = record.declaration;
    const override = this.overrides.get(feature);
    const file = this.file.get(feature);
    const env = this.env.get(feature);
    return {
      feature,
      state: record.state,
      source: record.source,
      essential,
      hasFallback: fallback !== undefined,
      sources: {
        ...(override === undefined ? {} : { override }),
        ...(file === undefined ? {} : { file }),
        ...(env === undefined ? {} : { env }),
        default: defaultState,
      },
      shed: record.source === 'shedding',
      changes: record.changes,
      automaticChanges: record.automaticChanges,
      fallbacksServed: record.fallbacksServed,
      rejected: record.rejected,
    };
  }
}
