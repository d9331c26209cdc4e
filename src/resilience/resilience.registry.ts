import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { PolicyRegistrationError } from './resilience.errors';
import { RESILIENCE_MODULE_OPTIONS, type ResilienceModuleOptions } from './resilience.module-definition';
import { DEFAULT_POLICY_OPTIONS, layerPolicyOptions, type PolicyOptions, type ResolvedPolicyOptions } from './resilience.options';
import { ResiliencePolicy } from './resilience.policy';
import type { BreakerStateChange, ForcedBreakerState, PolicyStats } from './resilience.types';

/** One policy as `list()` shows it to operators: its state, counters and resolved options. */
export interface PolicySummary extends PolicyStats {
  readonly options: Omit<ResolvedPolicyOptions, 'retry'> & { readonly retry: Omit<ResolvedPolicyOptions['retry'], 'retryOn'> };
}

/**
 * Every named policy of the process. Features register theirs with
 * `ResilienceModule.forFeature({ name, ... })` and use them through
 * `get(name).execute(fn)` or `@UseResilience(name)`. Operators and metrics
 * read `list()` / `stats()`, force breakers with `forceState()` and follow
 * transitions with `onStateChange()` (each one is also logged: a warning
 * when a breaker opens).
 */
@Injectable()
export class ResilienceRegistry {
  private readonly logger = new Logger('Resilience');
  private readonly policies = new Map<string, ResiliencePolicy>();
  private readonly listeners = new Set<(change: BreakerStateChange) => void>();
  private readonly defaults: ResolvedPolicyOptions;

  constructor(@Optional() @Inject(RESILIENCE_MODULE_OPTIONS) options: ResilienceModuleOptions | null = null) {
    this.defaults = layerPolicyOptions(DEFAULT_POLICY_OPTIONS, options?.defaults);
  }

  /** Creates policy `name` from the module defaults and `options` (the feature layer). Throws on a duplicate name. */
  register(name: string, options: PolicyOptions = {}): ResiliencePolicy {
    if (this.policies.has(name)) throw new PolicyRegistrationError(`Resilience policy "${name}" is registered twice; give each forFeature() its own name.`);
    const policy = new ResiliencePolicy(name, layerPolicyOptions(this.defaults, options), { onStateChange: (change) => this.emit(change) });
    this.policies.set(name, policy);
    return policy;
  }

  /** Policy `name`; throws when nobody registered it (a wiring mistake, found at the first call). */
  get(name: string): ResiliencePolicy {
    const policy = this.policies.get(name);
    if (!policy) {
      const known = [...this.policies.keys()].join(', ') || 'none';
      throw new PolicyRegistrationError(
        `No resilience policy "${name}" (registered: ${known}); add ResilienceModule.forFeature({ name: '${name}' }) to the feature's imports.`,
      );
    }
    return policy;
  }

  /** Whether policy `name` exists. */
  has(name: string): boolean {
    return this.policies.has(name);
  }

  /** Every policy with its state, counters and options, by name. For the admin API. */
  list(): PolicySummary[] {
    return [...this.policies.values()].map((policy) => {
      const { retryOn: _ignored, ...retry } = policy.options.retry;
      return { ...policy.stats(), options: { ...policy.options, retry } };
    });
  }

  /** Counters and state of every policy, for the metrics module. */
  stats(): PolicyStats[] {
    return [...this.policies.values()].map((policy) => policy.stats());
  }

  /** Forces breaker `name` open or closed, or hands it back (`auto`); returns its stats after the change. */
  forceState(name: string, state: ForcedBreakerState): PolicyStats {
    const policy = this.get(name);
    policy.forceState(state);
    return policy.stats();
  }

  /** Calls `listener` on every breaker transition of every policy; returns the unsubscribe function. */
  onStateChange(listener: (change: BreakerStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: BreakerStateChange): void {
    const line = `breaker ${change.policy}: ${change.from} → ${change.to} (${change.reason})`;
    if (change.to === 'open') this.logger.warn(line);
    else this.logger.log(line);
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error(`a breaker state listener threw: ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }
}
